/**
 * Builds, loads and attaches the probe programs of a collection, and owns
 * every kernel object it made until `close()`.
 *
 * One linked object (generic probe + the collectors' hooks) is loaded once
 * per distinct argument count: the verifier must see which tracepoint
 * arguments a program reads. A probe is identified in the kernel by a small
 * id passed as the attach cookie (config_map key, the `symbol` of kernel
 * sections, the counters_map key): this kernel's kallsyms lacks tracepoint
 * symbols, and an id needs no lookup.
 */
import type { BpfNative, BpfObject, Link, KernelFeatures } from '@retis/bpf-native';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import type { ResolvedProbe } from '../kernel/inspector';
import { linkProbe } from '../bpf/link';
import {
  FILTER_MAGIC, MAPS, MAX_ARGS, PROBE_OBJECTS, PROBE_TYPE, RODATA, decodeCounters, decodeCountersKey,
  defaultFilterInsns, encodeGlobalConfig, encodeHookOwners, encodeKsym, encodeLogLevel, encodeNargs,
  encodeProbeConfig, encodeU64Key, probeObjectPath, LOG_LEVEL,
} from '../bpf/abi';
import { probeKey } from './spec';
import { probeOffsets, trackingRole } from './probe-config';

export interface HookRequest {
  objectPath: string;
  owner: number;
  collector: string;
}

export interface MapValue {
  map: string;
  key: Buffer;
  value: Buffer;
}

/** Filter bodies spliced into every probe (default: match everything). */
export interface FilterBodies {
  l2: Buffer;
  l3: Buffer;
  meta: Buffer;
}

export interface LoadRequest {
  probes: ResolvedProbe[];
  hooks: HookRequest[];
  mapValues: MapValue[];
  stackAll: boolean;
  filters?: FilterBodies;
}

interface LoadedProbe {
  id: bigint;
  probe: ResolvedProbe;
  key: string;
}

const KIND_FEATURE: Record<ResolvedProbe['kind'], { feature: keyof KernelFeatures; what: string }> = {
  raw_tracepoint: { feature: 'rawTracepoint', what: 'raw tracepoint' },
  kprobe: { feature: 'kprobe', what: 'kprobe' },
  kretprobe: { feature: 'kretprobe', what: 'kretprobe' },
  fentry: { feature: 'fentry', what: 'fentry (BPF trampoline)' },
  fexit: { feature: 'fexit', what: 'fexit (BPF trampoline)' },
};

export class ProbeManager {
  private readonly objects: BpfObject[] = [];
  private readonly links: Link[] = [];
  private readonly byId = new Map<bigint, LoadedProbe>();
  private shared?: BpfObject;

  constructor(private readonly native: BpfNative, private readonly log: Logger) {}

  get probeCount(): number {
    return this.byId.size;
  }

  get eventsMapFd(): number {
    return this.sharedObject().map(MAPS.events).fd;
  }

  async load(req: LoadRequest): Promise<void> {
    this.checkKinds(req.probes);
    const hooks = req.hooks.map((h) => h.objectPath);
    const owners = req.hooks.map((h) => h.owner);
    const linked = await linkProbe(probeObjectPath('rawTracepoint'), hooks);
    try {
      const cookies = this.native.features().rawTracepointCookie;
      let nextId = 1n;
      const entries = req.probes.map((probe) => ({ id: nextId++, probe, key: probeKey({ kind: probe.kind, target: probe.symbol }) }));
      // With cookies one program serves every probe of an argument count;
      // without, each probe gets its own program carrying its id in rodata.
      const groups = new Map<string, LoadedProbe[]>();
      for (const e of entries) {
        const nargs = e.probe.params.length;
        if (nargs > MAX_ARGS) throw new RetisError(`${e.key} has ${nargs} arguments: at most ${MAX_ARGS} are supported`, RetisErrorCode.InvalidProbe);
        const group = cookies ? `n${nargs}` : `p${e.id}`;
        if (!groups.has(group)) groups.set(group, []);
        groups.get(group)!.push(e);
      }
      for (const group of groups.values()) {
        const obj = await this.loadObject(linked.path, group[0].probe.params.length, cookies ? 0n : group[0].id, owners, req.filters);
        for (const e of group) {
          this.writeProbeConfig(e, req.stackAll);
          this.byId.set(e.id, e);
          this.attach(obj, e, cookies);
        }
      }
      for (const v of req.mapValues) this.writeMap(v);
    } finally {
      await linked.dispose();
    }
  }

  /** Probes run their hooks only once enabled, after everything is attached. */
  enable(): void {
    this.setEnabled(true);
  }

  disable(): void {
    if (this.shared) this.setEnabled(false);
  }

  detach(): void {
    for (const link of this.links.splice(0)) {
      try {
        link.close();
      } catch (e) {
        this.log.warn(`could not detach a probe: ${errorMessage(e)}`);
      }
    }
  }

  close(): void {
    this.detach();
    for (const obj of this.objects.splice(0)) obj.close();
    this.shared = undefined;
  }

  /** kernel section `symbol` (a probe id) -> probe name and type. */
  symbolResolver(): (id: bigint) => { name: string; probeType: string } | undefined {
    return (id) => {
      const p = this.byId.get(id);
      return p && { name: p.probe.symbol, probeType: p.probe.kind };
    };
  }

  /** Events the ring buffer refused, per probe (reference §12.2). */
  lostEvents(): { probe: string; count: number }[] {
    if (!this.shared) return [];
    const fd = this.shared.map(MAPS.counters).fd;
    const ops = this.native.map;
    const out: { probe: string; count: number }[] = [];
    for (const key of ops.keys(fd, 16)) {
      const value = ops.lookup(fd, key, 8);
      if (!value) continue;
      const count = Number(decodeCounters(value).droppedEvents);
      if (count === 0) continue;
      const { ksym } = decodeCountersKey(key);
      out.push({ probe: this.byId.get(ksym)?.probe.symbol ?? `probe #${ksym}`, count });
    }
    return out;
  }

  private checkKinds(probes: ResolvedProbe[]): void {
    const features = this.native.features();
    for (const p of probes) {
      const need = KIND_FEATURE[p.kind];
      if (!features[need.feature]) {
        throw new RetisError(
          `Cannot attach ${probeKey({ kind: p.kind, target: p.symbol })}: this kernel has no ${need.what} support`,
          RetisErrorCode.KernelFeatureMissing,
        );
      }
      if (p.kind !== 'raw_tracepoint') {
        throw new RetisError(`${p.kind} probes are not supported by this version yet`, RetisErrorCode.KernelFeatureMissing);
      }
    }
  }

  private async loadObject(path: string, nargs: number, ksym: bigint, owners: number[], filters?: FilterBodies): Promise<BpfObject> {
    const obj = this.native.openObject(path, `retis_tp${nargs}`);
    this.objects.push(obj);
    obj.setGlobal(RODATA.nargs.name, encodeNargs(nargs));
    obj.setGlobal(RODATA.ksym.name, encodeKsym(ksym));
    obj.setGlobal(RODATA.hookOwner.name, encodeHookOwners(owners));
    obj.setGlobal(RODATA.logLevel.name, encodeLogLevel(this.log.enabled('debug') ? LOG_LEVEL.debug : LOG_LEVEL.warn));
    obj.patchCalls(FILTER_MAGIC.l2, filters?.l2 ?? defaultFilterInsns());
    obj.patchCalls(FILTER_MAGIC.l3, filters?.l3 ?? defaultFilterInsns());
    obj.patchCalls(FILTER_MAGIC.meta, filters?.meta ?? defaultFilterInsns());
    if (this.shared) {
      // Every object shares the first one's maps: one ring buffer, one config.
      for (const m of obj.maps()) {
        if (!m.name.includes('.')) m.reuseFd(this.shared.map(m.name).fd);
      }
    }
    try {
      await obj.load();
    } catch (e) {
      const log = (e as { libbpfLog?: string }).libbpfLog;
      if (log) this.log.debug(log);
      throw new RetisError(`Could not load the probe program: ${errorMessage(e)}`, RetisErrorCode.BpfLoad, log);
    }
    this.shared ??= obj;
    return obj;
  }

  private attach(obj: BpfObject, e: LoadedProbe, cookies: boolean): void {
    const prog = obj.program(PROBE_OBJECTS.rawTracepoint.program);
    try {
      this.links.push(prog.attachRawTracepoint(e.probe.attachName, cookies ? e.id : undefined));
    } catch (err) {
      throw new RetisError(`Could not attach to ${e.key}: ${errorMessage(err)}`, RetisErrorCode.BpfAttach);
    }
  }

  private writeProbeConfig(e: LoadedProbe, stackAll: boolean): void {
    const role = trackingRole(e.key);
    const value = encodeProbeConfig({
      offsets: probeOffsets(e.probe),
      stackTrace: stackAll || e.probe.stack,
      ...role,
      trackingOnly: e.probe.trackingOnly ?? false,
      probeType: PROBE_TYPE.rawTracepoint,
    });
    this.native.map.update(this.sharedObject().map(MAPS.config).fd, encodeU64Key(e.id), value);
  }

  private writeMap(v: MapValue): void {
    let fd: number;
    try {
      fd = this.sharedObject().map(v.map).fd;
    } catch (e) {
      throw new RetisError(`no BPF map named ${v.map}: ${errorMessage(e)}`, RetisErrorCode.Internal);
    }
    this.native.map.update(fd, v.key, v.value);
  }

  private setEnabled(on: boolean): void {
    this.native.map.update(this.sharedObject().map(MAPS.globalConfig).fd, Buffer.alloc(4), encodeGlobalConfig(on));
  }

  private sharedObject(): BpfObject {
    if (!this.shared) throw new RetisError('no probe loaded', RetisErrorCode.Internal);
    return this.shared;
  }
}
