/**
 * What the running kernel offers: BTF types, tracepoints and functions that
 * can be probed, its features and its identity. Expensive sources load
 * lazily, so that a run touches only what it needs (start-up time matters).
 */
import * as os from 'os';
import type { Btf, BpfNative, KernelFeatures } from '@retis/bpf-native';
import { RetisError, RetisErrorCode } from '../errors';
import type { ProbeSpec } from '../probe/spec';
import { type Param, protoParams, protoReturnType, type ReturnType } from './btf-params';
import { Tracefs } from './tracefs';
import { hasWildcard, matchWildcard } from './wildcard';
import type { Logger } from '../log';
import { listCompatibleProbes } from '../probe/listing';

export interface ResolvedProbe {
  kind: ProbeSpec['kind'];
  /** `group:event` for tracepoints, the function name otherwise. */
  symbol: string;
  /** Name the kernel attaches by: the event name for tracepoints. */
  attachName: string;
  params: Param[];
  /** Functions only: how their return value is decoded (kretprobe, fexit). */
  returnType?: ReturnType;
  stack: boolean;
  /** Installed by core for skb tracking only: no filtering, no event, no hook. */
  trackingOnly?: boolean;
}

export interface MachineInfo {
  kernel_release: string;
  kernel_version: string;
  hardware_name: string;
}

/** Above this many names, one scan of the BTF beats a lookup per name. */
const INDEX_THRESHOLD = 200;

export class KernelInspector {
  private btfCache?: Btf;
  private funcIndex?: Map<string, number>;
  private warnedTracefs = false;

  constructor(
    private readonly native: Pick<BpfNative, 'loadBtf'> & Partial<Pick<BpfNative, 'features'>>,
    private readonly log: Logger,
    readonly tracefs: Tracefs = new Tracefs(),
  ) {}

  get btf(): Btf {
    if (!this.btfCache) this.btfCache = this.native.loadBtf();
    return this.btfCache;
  }

  /** Probe and attach kinds this kernel accepts (each one probed once, on first use). */
  features(): KernelFeatures {
    if (!this.native.features) throw new RetisError('kernel features are not available here', RetisErrorCode.Internal);
    return this.native.features();
  }

  machine(): MachineInfo {
    return { kernel_release: os.release(), kernel_version: os.version(), hardware_name: os.machine() };
  }

  /** Expands wildcards and resolves every target of a spec; throws when nothing matches. */
  resolve(spec: ProbeSpec): ResolvedProbe[] {
    return spec.kind === 'raw_tracepoint' ? this.resolveTracepoints(spec) : this.resolveFunctions(spec);
  }

  /**
   * `retis inspect -p PATTERN`: probes whose parameters include one of
   * `knownTypes`, as `kprobe:<fn>`, `tp:<group>:<event>`... (probe/listing.ts).
   */
  listCompatible(pattern: string, knownTypes: ReadonlySet<string>): string[] {
    return listCompatibleProbes(pattern, { kernel: this, knownTypes, log: this.log });
  }

  /**
   * Tracepoint event names BTF knows (`btf_trace_<event>` typedefs), for
   * listings when tracefs is not there: the group is then unknown.
   */
  btfTracepointEvents(): string[] {
    const out: string[] = [];
    const btf = this.btf;
    for (let id = 1; id < btf.typeCount; id++) {
      const t = btf.type(id);
      if (t.kind === 'typedef' && t.name.startsWith('btf_trace_')) out.push(t.name.slice('btf_trace_'.length));
    }
    return out.sort();
  }

  private resolveTracepoints(spec: ProbeSpec): ResolvedProbe[] {
    const events = this.tracefsList(this.tracefs.availableEvents());
    let names = [spec.target];
    // Without tracefs groups are unknown and not checked: `*:event` (how
    // `inspect` lists tracepoints then) names the event alone.
    const anyGroup = !events && spec.target.startsWith('*:') && !hasWildcard(spec.target.slice(2));
    if (hasWildcard(spec.target) && !anyGroup) {
      if (!events) {
        throw new RetisError("Could not get matching tracepoints as Retis can't access files in tracefs", RetisErrorCode.UnknownProbe);
      }
      names = matchWildcard(spec.target, events);
    }
    const out: ResolvedProbe[] = [];
    for (const name of names) {
      if (events && !events.has(name)) {
        this.log.debug(`Symbol ${name} does not exist or isn't traceable`);
        continue;
      }
      const [, event] = name.split(':');
      const params = this.tracepointParams(event);
      if (!params) {
        this.log.debug(`${name} is not supported (no corresponding BTF definition)`);
        continue;
      }
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
    if (hasWildcard(spec.target)) {
      if (!funcs) {
        throw new RetisError("Could not get matching functions as Retis can't access files in tracefs", RetisErrorCode.UnknownProbe);
      }
      names = matchWildcard(spec.target, funcs);
    }
    if (names.length > INDEX_THRESHOLD) this.buildFuncIndex();
    const out: ResolvedProbe[] = [];
    for (const name of names) {
      if (funcs && !funcs.has(name)) {
        this.log.debug(`Symbol ${name} does not exist or isn't traceable`);
        continue;
      }
      const protoId = this.funcProtoId(name);
      if (protoId === undefined) {
        this.log.debug(`${name} is not supported (no corresponding BTF definition)`);
        continue;
      }
      out.push({
        kind: spec.kind,
        symbol: name,
        attachName: name,
        params: protoParams(this.btf, protoId),
        returnType: protoReturnType(this.btf, protoId),
        stack: spec.options.stack,
      });
    }
    if (out.length === 0) {
      throw new RetisError(`Could not find a traceable function matching '${spec.target}'`, RetisErrorCode.UnknownProbe);
    }
    return out;
  }

  /** A tracepoint's parameters from `btf_trace_<event>` (its first one, `void *__data`, is not the tracepoint's). */
  private tracepointParams(event: string): Param[] | null {
    const btf = this.btf;
    const id = btf.findByName(`btf_trace_${event}`, 'typedef');
    if (id < 0) return null;
    let t = btf.type(id);
    while (t.typeId && t.kind !== 'func_proto') t = btf.type(t.typeId);
    if (t.kind !== 'func_proto') return null;
    return protoParams(btf, t.id).slice(1);
  }

  private funcProtoId(name: string): number | undefined {
    const btf = this.btf;
    const id = this.funcIndex ? (this.funcIndex.get(name) ?? -1) : btf.findByName(name, 'func');
    if (id < 0) return undefined;
    return btf.type(id).typeId || undefined;
  }

  private buildFuncIndex(): void {
    if (this.funcIndex) return;
    const btf = this.btf;
    const index = new Map<string, number>();
    for (let id = 1; id < btf.typeCount; id++) {
      const t = btf.type(id);
      if (t.kind === 'func' && !index.has(t.name)) index.set(t.name, id);
    }
    this.funcIndex = index;
  }

  private tracefsList<T>(list: T | null): T | null {
    if (list === null && !this.warnedTracefs) {
      this.warnedTracefs = true;
      this.log.debug('Could not access files in tracefs: consider mounting it (mount -t tracefs none /sys/kernel/tracing); using BTF only');
    }
    return list;
  }
}
