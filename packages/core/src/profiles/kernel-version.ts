/**
 * Kernel versions and the requirements profiles put on them (`when: - type:
 * version`), compared as the reference compares them: a requirement only
 * constrains the parts it names, so `>= 6.2` holds for every 6.2.x.
 */

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
  /** The first all-digit `-` part after the patch (`6.2.0-20-generic` gives 20). */
  build?: number;
  /** As `uname -r` gives it. */
  full: string;
}

/** Parses a `uname -r` release: `major.minor.patch[-...]`. */
export function parseKernelRelease(release: string): KernelVersion {
  const parts = release.split('.');
  const bad = (what: string) => new Error(`Could not get kernel ${what} version from ${release}`);
  if (parts.length < 3) throw bad('patch-build');
  const [major, minor] = [parts[0], parts[1]].map((p, i) => {
    if (!/^\d+$/.test(p)) throw bad(i === 0 ? 'major' : 'minor');
    return Number(p);
  });
  // `6.2.14-300.fc38`, `6.4.12-arch1-1`, `6.1.0+`: the build is the first numeric `-` part.
  const [patchText, ...rest] = parts[2].split('-');
  const patchDigits = patchText.replace(/\++$/, '');
  if (!/^\d+$/.test(patchDigits)) throw bad('patch');
  const buildText = rest.find((s) => /^\d+$/.test(s));
  return { major, minor, patch: Number(patchDigits), build: buildText === undefined ? undefined : Number(buildText), full: release };
}

type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=';

interface Comparator {
  op: Operator;
  major: number;
  minor?: number;
  patch?: number;
  build?: number;
}

export interface KernelVersionReq {
  /** As written in the profile. */
  text: string;
  comparators: Comparator[];
}

// `<op> major[.minor[.patch[-build]]]`; a trailing `*` or `.*` reads as "any".
const COMPARATOR = /^(>=|<=|!=|=|>|<)\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-(\d+))?(?:\.?\*)?$/;

/** Parses `">= 5.17, < 6.8"`: one or two comparators joined by a comma. */
export function parseKernelVersionReq(text: string): KernelVersionReq {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > 2) {
    throw new Error(`invalid kernel version requirement '${text}': at most two comparators are supported`);
  }
  const comparators = parts.map((part) => {
    const m = COMPARATOR.exec(part);
    if (!m) {
      throw new Error(`invalid kernel version requirement '${text}': expected OP MAJOR[.MINOR[.PATCH[-BUILD]]] with OP one of =, !=, >, >=, <, <=`);
    }
    const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
    return { op: m[1] as Operator, major: Number(m[2]), minor: num(m[3]), patch: num(m[4]), build: num(m[5]) };
  });
  return { text, comparators };
}

export function kernelVersionMatches(req: KernelVersionReq, version: KernelVersion): boolean {
  return req.comparators.every((c) => holds(c.op, order(c, version)));
}

/** How `version` compares with the comparator's version (-1, 0, 1), over the parts it names. */
function order(c: Comparator, v: KernelVersion): number {
  if (v.major !== c.major) return Math.sign(v.major - c.major);
  if (c.minor === undefined) return 0;
  if (v.minor !== c.minor) return Math.sign(v.minor - c.minor);
  if (c.patch === undefined) return 0;
  if (v.patch !== c.patch) return Math.sign(v.patch - c.patch);
  if (c.build === undefined) return 0;
  // As the reference: a release without a build number sorts after any build.
  if (v.build === undefined) return 1;
  return Math.sign(v.build - c.build);
}

function holds(op: Operator, ord: number): boolean {
  switch (op) {
    case '=': return ord === 0;
    case '!=': return ord !== 0;
    case '>': return ord > 0;
    case '>=': return ord >= 0;
    case '<': return ord < 0;
    case '<=': return ord <= 0;
  }
}
