/**
 * Reading events files written by older Retis versions (reference §3.3).
 *
 * The startup event's `retis_version` picks a compatibility level; every
 * event of the file then goes through the fix-ups of each later level, on
 * the parsed JSON before the sections read it. A fix-up whose source is
 * missing does nothing (every section and field is optional).
 *
 * Deliberate differences with the reference, see docs/events-file.md:
 * an `add` whose destination already exists keeps the existing value
 * (Retis rejects the event), while a `move` onto an existing field is
 * still an error since one of the two values would be lost.
 */
import type { JsonValue } from './json';

export enum CompatLevel {
  /** Retis 1.5.x */
  V0 = 0,
  /** Retis 1.6.x */
  V1 = 1,
  /** Retis 1.7.0 and later: the current format. */
  V2 = 2,
}

export const LATEST_COMPAT = CompatLevel.V2;

type FixupSpec =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'move'; from: string; to: string };

/** A fix-up with its paths split once (it runs on every event of an old file). */
type Fixup =
  | { op: 'add'; path: string; parts: string[]; value: JsonValue }
  | { op: 'move'; from: string; fromParts: string[]; to: string; toParts: string[] };

/** FIXUPS[n]: what turns a level n-1 event into a level n one. */
const SPECS: readonly (readonly FixupSpec[])[] = [
  [],
  [
    { op: 'add', path: 'ct/ct_status', value: 0 },
    { op: 'move', from: 'skb/packet/packet', to: 'skb/packet/raw' },
    { op: 'move', from: 'skb/ns/netns', to: 'skb/ns/inum' },
    { op: 'move', from: 'skb/packet', to: 'packet' },
    { op: 'move', from: 'skb/dev', to: 'dev' },
    { op: 'move', from: 'skb/ns', to: 'netns' },
    { op: 'move', from: 'packet/raw', to: 'packet/data' },
  ],
  [
    { op: 'add', path: 'startup/machine', value: {} },
    { op: 'add', path: 'startup/machine/kernel_release', value: 'unknown' },
    { op: 'add', path: 'startup/machine/kernel_version', value: 'unknown' },
    { op: 'add', path: 'startup/machine/hardware_name', value: 'unknown' },
    { op: 'add', path: 'startup/cmdline', value: 'unknown' },
    { op: 'move', from: 'ct/tcp_state', to: 'ct/proto_state' },
    { op: 'move', from: 'ct/parent/tcp_state', to: 'ct/parent/proto_state' },
  ],
];

const FIXUPS: readonly (readonly Fixup[])[] = SPECS.map((level) =>
  level.map(
    (f): Fixup =>
      f.op === 'add'
        ? { ...f, parts: f.path.split('/') }
        : { ...f, fromParts: f.from.split('/'), toParts: f.to.split('/') },
  ),
);

/** Thrown for a version string that is not a supported Retis version. */
export class CompatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompatError';
  }
}

/**
 * `v1.6.0`, `1.5.0-31584d349ace-dirty`, `1.5.0+1.4.0` ... to a level: a
 * leading `v` and anything from the first `-` or `+` are dropped first.
 */
export function compatLevelOf(retisVersion: string): CompatLevel {
  let v = retisVersion.startsWith('v') ? retisVersion.slice(1) : retisVersion;
  const cut = [v.indexOf('-'), v.indexOf('+')].filter((i) => i >= 0);
  if (cut.length > 0) v = v.slice(0, Math.min(...cut));
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(v);
  if (m === null) throw new CompatError(`Invalid Retis version string (${retisVersion})`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 1 || (major === 1 && minor >= 7)) return CompatLevel.V2;
  if (major === 1 && minor === 6) return CompatLevel.V1;
  if (major === 1 && minor === 5) return CompatLevel.V0;
  throw new CompatError(`Unsupported Retis version (${v})`);
}

/** Rewrite a parsed event (a JSON object) from `level` to the current format, in place. */
export function applyFixups(event: Record<string, JsonValue>, level: CompatLevel): void {
  for (let l = level + 1; l < FIXUPS.length; l++) {
    for (const fix of FIXUPS[l]) {
      if (fix.op === 'add') add(event, fix.parts, fix.path, fix.value);
      else move(event, fix);
    }
  }
}

type JsonObject = Record<string, JsonValue>;

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object holding the last path component, or undefined if a parent is missing. */
function parentOf(event: JsonObject, parts: string[], path: string): JsonObject | undefined {
  let cur: JsonObject = event;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (next === undefined || next === null) return undefined;
    if (!isObject(next)) throw new CompatError(`Cannot apply compatibility fix-up: '${parts.slice(0, i + 1).join('/')}' in '${path}' is not an object`);
    cur = next;
  }
  return cur;
}

function add(event: JsonObject, parts: string[], path: string, value: JsonValue): void {
  const parent = parentOf(event, parts, path);
  const leaf = parts[parts.length - 1];
  if (parent === undefined || (parent[leaf] !== undefined && parent[leaf] !== null)) return;
  // Copy so that no two events share the added object.
  parent[leaf] = isObject(value) ? { ...value } : value;
}

function move(event: JsonObject, fix: Extract<Fixup, { op: 'move' }>): void {
  const src = fix.fromParts;
  const srcParent = parentOf(event, src, fix.from);
  const srcLeaf = src[src.length - 1];
  if (srcParent === undefined || srcParent[srcLeaf] === undefined) return;
  const value = srcParent[srcLeaf];
  const dst = fix.toParts;
  const dstParent = parentOf(event, dst, fix.to);
  if (dstParent === undefined) return;
  const dstLeaf = dst[dst.length - 1];
  if (dstParent[dstLeaf] !== undefined && dstParent[dstLeaf] !== null) {
    throw new CompatError(`Cannot apply compatibility fix-up: destination field '${fix.to}' already exists`);
  }
  delete srcParent[srcLeaf];
  dstParent[dstLeaf] = value;
}
