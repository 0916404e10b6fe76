/**
 * What the running kernel offers: BTF types, tracepoints and functions that
 * can be probed, and its identity. Expensive sources load lazily, so that a
 * run touches only what it needs (start-up time matters).
 */
import * as os from 'os';
import type { Btf, BpfNative } from '@retis/bpf-native';
import { RetisError, RetisErrorCode } from '../errors';
import type { ProbeSpec } from '../probe/spec';
import { functionParams, type Param, tracepointParams } from './btf-params';
import { Tracefs } from './tracefs';
import type { Logger } from '../log';

export interface ResolvedProbe {
  kind: ProbeSpec['kind'];
  /** `group:event` for tracepoints, the function name otherwise. */
  symbol: string;
  /** Name the kernel attaches by: the event name for tracepoints. */
  attachName: string;
  params: Param[];
  stack: boolean;
  /** Installed by core for skb tracking only: no filtering, no event, no hook. */
  trackingOnly?: boolean;
}

export interface MachineInfo {
  kernel_release: string;
  kernel_version: string;
  hardware_name: string;
}

export class KernelInspector {
  private btfCache?: Btf;
  private warnedTracefs = false;

  constructor(
    private readonly native: Pick<BpfNative, 'loadBtf'>,
    private readonly log: Logger,
    readonly tracefs: Tracefs = new Tracefs(),
  ) {}

  get btf(): Btf {
    if (!this.btfCache) this.btfCache = this.native.loadBtf();
    return this.btfCache;
  }

  machine(): MachineInfo {
    return { kernel_release: os.release(), kernel_version: os.version(), hardware_name: os.machine() };
  }

  /** Expands wildcards and resolves every target of a spec; throws when nothing matches. */
  resolve(spec: ProbeSpec): ResolvedProbe[] {
    return spec.kind === 'raw_tracepoint' ? this.resolveTracepoints(spec) : this.resolveFunctions(spec);
  }

  private resolveTracepoints(spec: ProbeSpec): ResolvedProbe[] {
    const events = this.tracefsList(this.tracefs.availableEvents());
    let names = [spec.target];
    if (spec.target.includes('*')) {
      if (!events) throw new RetisError("Could not get matching tracepoints as retis can't access files in tracefs", RetisErrorCode.UnknownProbe);
      const re = wildcard(spec.target);
      names = [...events].filter((e) => re.test(e)).sort();
    }
    const out: ResolvedProbe[] = [];
    for (const name of names) {
      if (events && !events.has(name)) continue;
      const [, event] = name.split(':');
      const params = tracepointParams(this.btf, event);
      if (!params) continue;
      out.push({ kind: spec.kind, symbol: name, attachName: event, params, stack: spec.options.stack });
    }
    if (out.length === 0) {
      throw new RetisError(`Could not find a tracepoint matching '${spec.target}'`, RetisErrorCode.UnknownProbe);
    }
    return out;
  }

  private resolveFunctions(spec: ProbeSpec): ResolvedProbe[] {
    const funcs = this.tracefsList(this.tracefs.availableFunctions());
    let names = [spec.target];
    if (spec.target.includes('*')) {
      if (!funcs) throw new RetisError("Could not get matching functions as retis can't access files in tracefs", RetisErrorCode.UnknownProbe);
      const re = wildcard(spec.target);
      names = [...funcs].filter((f) => re.test(f)).sort();
    }
    const out: ResolvedProbe[] = [];
    for (const name of names) {
      if (funcs && !funcs.has(name)) continue;
      const params = functionParams(this.btf, name);
      if (!params) continue;
      out.push({ kind: spec.kind, symbol: name, attachName: name, params, stack: spec.options.stack });
    }
    if (out.length === 0) {
      throw new RetisError(`Could not find a traceable function matching '${spec.target}'`, RetisErrorCode.UnknownProbe);
    }
    return out;
  }

  private tracefsList<T>(list: T | null): T | null {
    if (list === null && !this.warnedTracefs) {
      this.warnedTracefs = true;
      this.log.debug('Could not access files in tracefs: consider mounting it (mount -t tracefs none /sys/kernel/tracing); using BTF only');
    }
    return list;
  }
}

/** `*` is the only wildcard; other characters match themselves. */
function wildcard(pattern: string): RegExp {
  const esc = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${esc.join('.*')}$`);
}
