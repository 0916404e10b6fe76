/**
 * Probe specifications as users write them (reference §7.1):
 * `[TYPE:]TARGET[/OPT[/OPT..]]`, TYPE one of kprobe|k, kretprobe|kr,
 * raw_tracepoint|tp, plus fentry/fexit which this tool adds. A bare
 * `group:event` is a tracepoint and a bare name a kprobe.
 */
import { RetisError, RetisErrorCode } from '../errors';

export type ProbeKind = 'kprobe' | 'kretprobe' | 'raw_tracepoint' | 'fentry' | 'fexit';

export interface ProbeOptions {
  /** `/stack`: report a stack trace with every event of this probe. */
  stack: boolean;
}

export interface ProbeSpec {
  kind: ProbeKind;
  /** Function name, or `group:event` for tracepoints; may hold `*` wildcards. */
  target: string;
  options: ProbeOptions;
}

const TYPES: Record<string, ProbeKind> = {
  kprobe: 'kprobe', k: 'kprobe',
  kretprobe: 'kretprobe', kr: 'kretprobe',
  raw_tracepoint: 'raw_tracepoint', tp: 'raw_tracepoint',
  fentry: 'fentry', fexit: 'fexit',
};

/** The kind a TYPE prefix (`k`, `kretprobe`, `tp`, ...) stands for, if it is one. */
export function probeKindOf(type: string): ProbeKind | undefined {
  return Object.prototype.hasOwnProperty.call(TYPES, type) ? TYPES[type] : undefined;
}

const VALID_OPTIONS = new Set(['stack']);

export function parseProbeSpec(input: string): ProbeSpec {
  const invalid = (msg: string) => new RetisError(msg, RetisErrorCode.InvalidProbe);
  const [head, ...opts] = input.split('/');
  const options: ProbeOptions = { stack: false };
  const seen = new Set<string>();
  for (const opt of opts) {
    if (opt === '') throw invalid(`Invalid probe '${input}': empty probe option.`);
    if (seen.has(opt)) throw invalid(`Invalid probe '${input}': option '${opt}' given twice.`);
    if (!VALID_OPTIONS.has(opt)) throw invalid(`'${opt}' is an invalid probe option.`);
    seen.add(opt);
    options.stack = true;
  }

  const colon = head.indexOf(':');
  if (colon < 0) {
    if (head === '') throw invalid('Invalid probe: empty target.');
    return { kind: 'kprobe', target: head, options };
  }
  const type = head.slice(0, colon);
  const target = head.slice(colon + 1);
  const kind = probeKindOf(type);
  if (kind === undefined) {
    // `skb:kfree_skb`: an unknown TYPE with exactly one ':' is a tracepoint.
    if (target.includes(':')) throw invalid(`Invalid TYPE ${type}. See the help.`);
    return { kind: 'raw_tracepoint', target: head, options };
  }
  if (target === '') throw invalid(`Invalid probe '${input}': empty target.`);
  if (kind === 'raw_tracepoint' && target.split(':').length !== 2) {
    throw invalid(`Invalid tracepoint '${target}': expected GROUP:EVENT.`);
  }
  return { kind, target, options };
}

/** Display form used in keys and messages: `kprobe:fn`, `tp:group:event`. */
export function probeKey(spec: { kind: ProbeKind; target: string }): string {
  return spec.kind === 'raw_tracepoint' ? `tp:${spec.target}` : `${spec.kind}:${spec.target}`;
}
