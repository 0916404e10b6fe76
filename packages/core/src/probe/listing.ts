/**
 * `retis inspect -p [PATTERN]` (reference §1.3): the probes a collection
 * could use, i.e. whose parameters include a type the collectors know, one
 * `kprobe:<fn>` / `tp:<group>:<event>` per line, sorted within each kind.
 *
 * A pattern without TYPE is tried as a kprobe and as a tracepoint; unlike
 * the reference, which stops at the first kind that matches nothing, it is
 * an error only when neither matches. Without tracefs, functions cannot be
 * listed and tracepoints come from BTF, by event name only (`tp:*:<event>`,
 * which `collect` accepts then).
 */
import { RetisError, RetisErrorCode, isRetisError } from '../errors';
import type { KernelInspector } from '../kernel/inspector';
import { hasWildcard, wildcardRegExp } from '../kernel/wildcard';
import type { Logger } from '../log';
import { probeUsable } from './probe-config';
import { probeKey, probeKindOf, type ProbeSpec } from './spec';

export interface ListingOptions {
  kernel: KernelInspector;
  /** Parameter types the collectors can use (`struct sk_buff *`, ...). */
  knownTypes: ReadonlySet<string>;
  log: Logger;
}

const NEEDS_TRACEFS = 'listing kernel functions needs a readable available_filter_functions in tracefs (mount -t tracefs none /sys/kernel/tracing)';

/** The patterns a user pattern stands for: `[TYPE:]TARGET`, no TYPE meaning kprobe and tracepoint. */
export function listingSpecs(pattern: string): ProbeSpec[] {
  const options = { stack: false };
  const colon = pattern.indexOf(':');
  if (colon < 0) {
    return [{ kind: 'kprobe', target: pattern, options }, { kind: 'raw_tracepoint', target: pattern, options }];
  }
  const kind = probeKindOf(pattern.slice(0, colon));
  if (kind === undefined) {
    // As in collect: an unknown TYPE with exactly one ':' is a tracepoint.
    if (pattern.indexOf(':', colon + 1) >= 0) {
      throw new RetisError(`Invalid TYPE ${pattern.slice(0, colon)}. See the help.`, RetisErrorCode.InvalidProbe);
    }
    return [{ kind: 'raw_tracepoint', target: pattern, options }];
  }
  return [{ kind, target: pattern.slice(colon + 1), options }];
}

/** Compatible probes for `pattern`, each kind's lines sorted, kinds in the pattern's order. */
export function listCompatibleProbes(pattern: string, opts: ListingOptions): string[] {
  const specs = listingSpecs(pattern);
  const implicit = specs.length > 1;
  const out: string[] = [];
  let firstError: unknown;
  let matched = false;
  for (const spec of specs) {
    try {
      out.push(...listOne(spec, opts, implicit));
      matched = true;
    } catch (e) {
      if (!implicit || !isRetisError(e)) throw e;
      firstError ??= e;
    }
  }
  if (!matched && firstError) throw firstError;
  return out;
}

function listOne(spec: ProbeSpec, opts: ListingOptions, implicit: boolean): string[] {
  const { kernel, knownTypes, log } = opts;
  const isFunction = spec.kind !== 'raw_tracepoint';
  const listed = isFunction ? kernel.tracefs.availableFunctions() : kernel.tracefs.availableEvents();
  if (listed === null) {
    if (!isFunction) return btfTracepoints(spec, opts);
    if (hasWildcard(spec.target)) {
      if (implicit) {
        log.warn(`Functions are not listed: ${NEEDS_TRACEFS}`);
        return [];
      }
      throw new RetisError(`Could not get matching functions: ${NEEDS_TRACEFS}`, RetisErrorCode.UnknownProbe);
    }
  }
  return kernel.resolve(spec)
    .filter((p) => probeUsable(p, knownTypes))
    .map((p) => probeKey({ kind: spec.kind, target: p.symbol }))
    .sort();
}

/** Without tracefs: BTF's tracepoints whose event name matches the pattern's event part. */
function btfTracepoints(spec: ProbeSpec, opts: ListingOptions): string[] {
  const { kernel, knownTypes, log } = opts;
  const colon = spec.target.indexOf(':');
  const event = colon < 0 ? spec.target : spec.target.slice(colon + 1);
  if (colon >= 0 && spec.target.slice(0, colon) !== '*') {
    log.warn('tracefs is not readable: tracepoint groups cannot be checked, only event names are matched');
  }
  const re = wildcardRegExp(event);
  const out: string[] = [];
  for (const name of kernel.btfTracepointEvents()) {
    if (!re.test(name)) continue;
    const [probe] = kernel.resolve({ kind: 'raw_tracepoint', target: `*:${name}`, options: spec.options });
    if (probeUsable(probe, knownTypes)) out.push(`tp:*:${name}`);
  }
  if (out.length === 0 && !hasWildcard(event)) {
    throw new RetisError(`Could not find a tracepoint matching '${spec.target}'`, RetisErrorCode.UnknownProbe);
  }
  return out.sort();
}
