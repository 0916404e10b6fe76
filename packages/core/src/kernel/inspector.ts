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
import { KernelModules, type ModuleSource } from './modules';
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
  /** The kernel module the function or tracepoint is in (its BTF is that module's); absent for vmlinux. */
  module?: string;
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

/**
 * A module's own types are indexed by name (one read of each) at once when
 * there are at most this many, else after this many lookups by name: a
 * lookup walks vmlinux's types first (about 100k: 1 ms natively, 12 ms
 * under the test VM's emulation), where reading one type costs about 75 µs
 * under emulation (veth has 95 own types, cfg80211 4163).
 */
const MODULE_INDEX_TYPES = 1000;
const MODULE_INDEX_LOOKUPS = 16;

/** A module's BTF, split over vmlinux's: its own types are ids from `firstId` on. */
interface ModuleBtf {
  btf: Btf;
  firstId: number;
  lookups: number;
  /** Its own functions and tracepoint typedefs (by event name), once indexed. */
  index?: { funcs: Map<string, number>; tracepoints: Map<string, number> };
}

/** Where a function's or tracepoint's prototype was found. */
interface Found {
  btf: Btf;
  protoId: number;
  module?: string;
}

export class KernelInspector {
  private btfCache?: Btf;
  private funcIndex?: Map<string, number>;
  private readonly moduleBtfs = new Map<string, ModuleBtf | null>();
  private warnedTracefs = false;

  constructor(
    private readonly native: Pick<BpfNative, 'loadBtf'> & Partial<Pick<BpfNative, 'features'>>,
    private readonly log: Logger,
    readonly tracefs: Tracefs = new Tracefs(),
    readonly modules: ModuleSource = new KernelModules(),
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
      const [group, event] = name.split(':');
      const found = this.findTracepoint(group, event);
      if (!found) {
        this.log.debug(`${name} is not supported (no corresponding BTF definition)`);
        continue;
      }
      out.push({
        kind: spec.kind,
        symbol: name,
        attachName: event,
        params: protoParams(found.btf, found.protoId).slice(1),
        ...(found.module !== undefined && { module: found.module }),
        stack: spec.options.stack,
      });
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
    // vmlinux's BTF is indexed for many names of vmlinux (module functions are looked for in their module's).
    const inVmlinux = funcs ? names.filter((n) => this.tracefs.vmlinuxFunction(n)).length : names.length;
    if (inVmlinux > INDEX_THRESHOLD) this.buildFuncIndex();
    const out: ResolvedProbe[] = [];
    for (const name of names) {
      if (funcs && !funcs.has(name)) {
        this.log.debug(`Symbol ${name} does not exist or isn't traceable`);
        continue;
      }
      const found = this.findFunction(name, funcs !== null);
      if (!found) {
        this.log.debug(`${name} is not supported (no corresponding BTF definition)`);
        continue;
      }
      out.push({
        kind: spec.kind,
        symbol: name,
        attachName: name,
        params: protoParams(found.btf, found.protoId),
        ...(found.module !== undefined && { module: found.module }),
        returnType: protoReturnType(found.btf, found.protoId),
        stack: spec.options.stack,
      });
    }
    if (out.length === 0) {
      throw new RetisError(`Could not find a traceable function matching '${spec.target}'`, RetisErrorCode.UnknownProbe);
    }
    return out;
  }

  /**
   * A function's prototype: from vmlinux's BTF, else from the BTF of the
   * module that has it. Which module: the `[module]` of
   * available_filter_functions when tracefs lists functions (an unlisted
   * module function is not traceable), else the `[module]` column of
   * /proc/kallsyms, else (kallsyms unreadable) each module's BTF in turn.
   */
  private findFunction(name: string, listed: boolean): Found | undefined {
    // A function tracefs lists for modules only is not looked for in vmlinux's BTF.
    if (!listed || this.tracefs.vmlinuxFunction(name)) {
      const btf = this.btf;
      const id = this.funcIndex ? (this.funcIndex.get(name) ?? -1) : btf.findByName(name, 'func');
      if (id >= 0) {
        const protoId = btf.type(id).typeId;
        return protoId ? { btf, protoId } : undefined;
      }
    }
    const candidates = listed ? this.tracefs.functionModules(name) : this.symbolModules(name);
    for (const module of candidates) {
      const mod = this.moduleBtf(module);
      const funcId = mod ? this.moduleType(mod, 'func', name) : undefined;
      if (mod && funcId !== undefined) {
        const protoId = mod.btf.type(funcId).typeId;
        if (protoId) return { btf: mod.btf, protoId, module };
      }
    }
    return undefined;
  }

  /**
   * A tracepoint's prototype, from `btf_trace_<event>` (a pointer to a
   * func_proto whose first parameter, `void *__data`, is not the
   * tracepoint's): vmlinux's, else a module's. Which module: the one named
   * like the group (openvswitch:ovs_dp_upcall), else the `[module]` of
   * kallsyms' `__tracepoint_<event>`, else (kallsyms unreadable) each
   * module's BTF in turn.
   */
  private findTracepoint(group: string | undefined, event: string): Found | undefined {
    const btf = this.btf;
    const id = btf.findByName(`btf_trace_${event}`, 'typedef');
    if (id >= 0) return this.tracepointProto(btf, id);
    const tried = new Set<string>();
    for (const module of this.tracepointModules(group, event)) {
      if (tried.has(module)) continue;
      tried.add(module);
      const mod = this.moduleBtf(module);
      const typedefId = mod ? this.moduleType(mod, 'typedef', event) : undefined;
      if (mod && typedefId !== undefined) {
        const found = this.tracepointProto(mod.btf, typedefId);
        if (found) return { ...found, module };
      }
    }
    return undefined;
  }

  private *tracepointModules(group: string | undefined, event: string): Iterable<string> {
    if (group && group !== '*' && this.modules.hasBtf(group)) yield group;
    yield* this.symbolModules(`__tracepoint_${event}`);
  }

  private tracepointProto(btf: Btf, typedefId: number): Found | undefined {
    let t = btf.type(typedefId);
    while (t.typeId && t.kind !== 'func_proto') t = btf.type(t.typeId);
    return t.kind === 'func_proto' ? { btf, protoId: t.id } : undefined;
  }

  /** The module kallsyms gives for a symbol; every module with BTF, lazily, when kallsyms cannot be read. */
  private *symbolModules(symbol: string): Iterable<string> {
    const module = this.modules.symbolModule(symbol);
    if (module === null) yield* this.modules.withBtf();
    else if (module !== undefined) yield module;
  }

  /**
   * A module's BTF, split over vmlinux's (shared), loaded on first use and
   * kept; null when the module has none (not loaded, or built without BTF).
   */
  private moduleBtf(module: string): ModuleBtf | null {
    let entry = this.moduleBtfs.get(module);
    if (entry !== undefined) return entry;
    entry = null;
    try {
      const base = this.btf;
      const btf = this.native.loadBtf({ module, base });
      entry = { btf, firstId: base.typeCount, lookups: 0 };
      this.log.debug(`Loaded the BTF of module ${module} (${btf.typeCount - base.typeCount} types)`);
    } catch (e) {
      this.log.debug(`No BTF for module ${module}: ${(e as Error).message}`);
    }
    this.moduleBtfs.set(module, entry);
    return entry;
  }

  /**
   * The id of a module's own function (`func`) or tracepoint typedef
   * (`typedef`, by event name), not vmlinux's: by name, or from the
   * module's index once it is worth building (MODULE_INDEX_*).
   */
  private moduleType(mod: ModuleBtf, kind: 'func' | 'typedef', name: string): number | undefined {
    if (!mod.index && mod.btf.typeCount - mod.firstId > MODULE_INDEX_TYPES && ++mod.lookups <= MODULE_INDEX_LOOKUPS) {
      const id = mod.btf.findByName(kind === 'func' ? name : `btf_trace_${name}`, kind);
      if (id < 0) return undefined;
      if (id >= mod.firstId) return id;
      // vmlinux has a type of that name too: only the index tells the module's.
    }
    mod.index ??= this.indexModule(mod);
    return (kind === 'func' ? mod.index.funcs : mod.index.tracepoints).get(name);
  }

  private indexModule(mod: ModuleBtf): NonNullable<ModuleBtf['index']> {
    const funcs = new Map<string, number>();
    const tracepoints = new Map<string, number>();
    for (let id = mod.firstId; id < mod.btf.typeCount; id++) {
      const t = mod.btf.type(id);
      if (t.kind === 'func') {
        if (!funcs.has(t.name)) funcs.set(t.name, id);
      } else if (t.kind === 'typedef' && t.name.startsWith('btf_trace_')) {
        tracepoints.set(t.name.slice('btf_trace_'.length), id);
      }
    }
    return { funcs, tracepoints };
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
