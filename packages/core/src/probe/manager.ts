/**
 * Builds, loads and attaches the probe programs of a collection, and owns
 * every kernel object it made until `close()`.
 *
 * Each probe kind has its generic object (bpf-common/probes), linked once per
 * collection with the collectors' hooks. A probe is identified in the kernel
 * by a small id (config_map key, the `symbol` of kernel sections, the
 * counters_map key), handed to the program as the attach cookie or, where a
 * program serves one probe only, as the `ksym` rodata. How many loads a kind
 * needs (docs/probes.md) is decided by `planLoads`.
 */
import type { BpfNative, BpfObject, Link, KernelFeatures, ProgramSpec } from '@retis/bpf-native';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import type { ResolvedProbe } from '../kernel/inspector';
import { linkProbe, type LinkedObject } from '../bpf/link';
import {
  FILTER_MAGIC, LOG_LEVEL, MAPS, PROBE_OBJECTS, PROBE_TYPE, RODATA, type ProbeKind as ObjectKind,
  decodeCounters, decodeCountersKey, defaultFilterInsns, encodeGlobalConfig, encodeHookOwners, encodeKsym,
  encodeFilterFlags, encodeLogLevel, encodeNargs, encodeProbeConfig, encodeThreadSize, encodeTrackingKprobes, encodeProbeId,
  probeObjectPath,
} from '../bpf/abi';
import { probeKey } from './spec';
import { probeOffsets, trackingRole } from './probe-config';
import { planLoads, unitPrograms, type LoadUnit, type PlannedProbe } from './load-plan';
import { retvalDecoder, type RetvalDecoder } from './retval';
import { stackResolver, type StackFrames } from './stack';

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
/** Filter blocks to splice in; a missing filter lets everything pass. */
export interface FilterBodies {
  /** The packet filter (-f): both blocks or neither. */
  l2?: Buffer;
  l3?: Buffer;
  /** The meta filter (-m). */
  meta?: Buffer;
}

export interface LoadRequest {
  probes: ResolvedProbe[];
  hooks: HookRequest[];
  mapValues: MapValue[];
  stackAll: boolean;
  filters?: FilterBodies;
  /** skb tracking runs the kprobe-based variant (the tracking kprobes are among the probes). */
  trackingKprobes?: boolean;
  /** The kernel's THREAD_SIZE (kretprobes key saved arguments by stack base); default 16 KiB. */
  threadSize?: number;
}

/** What the kernel section's `symbol` (a probe id) stands for. */
export interface ProbeSymbol {
  name: string;
  probeType: ResolvedProbe['kind'];
  /** Return probes of functions returning a value: decodes the raw return value. */
  retval?: RetvalDecoder;
}

const KIND_FEATURE: Record<ResolvedProbe['kind'], { feature: keyof KernelFeatures; what: string }> = {
  raw_tracepoint: { feature: 'rawTracepoint', what: 'raw tracepoint' },
  kprobe: { feature: 'kprobe', what: 'kprobe' },
  kretprobe: { feature: 'kretprobe', what: 'kretprobe' },
  fentry: { feature: 'fentry', what: 'fentry (BPF trampoline)' },
  fexit: { feature: 'fexit', what: 'fexit (BPF trampoline)' },
};

const WIRE_TYPE: Record<ResolvedProbe['kind'], number> = {
  raw_tracepoint: PROBE_TYPE.rawTracepoint,
  kprobe: PROBE_TYPE.kprobe,
  kretprobe: PROBE_TYPE.kretprobe,
  fentry: PROBE_TYPE.fentry,
  fexit: PROBE_TYPE.fexit,
};

/** Loads after the first (which creates the shared maps) run this many at a time: the machines have few cores. */
const LOAD_CONCURRENCY = 2;

/** The message of a kernel that lacks a probe kind (a user error: one line). */
export function missingKindError(probe: { kind: ResolvedProbe['kind']; symbol: string }): RetisError {
  return new RetisError(
    `Cannot attach ${probeKey({ kind: probe.kind, target: probe.symbol })}: this kernel has no ${KIND_FEATURE[probe.kind].what} support`,
    RetisErrorCode.KernelFeatureMissing,
  );
}

/** Whether the kernel can attach probes of this kind. */
export function kindSupported(kind: ResolvedProbe['kind'], features: KernelFeatures): boolean {
  return features[KIND_FEATURE[kind].feature];
}

export class ProbeManager {
  private readonly objects: BpfObject[] = [];
  private readonly links: Link[] = [];
  private readonly byId = new Map<bigint, PlannedProbe>();
  private shared?: BpfObject;

  constructor(private readonly native: BpfNative, private readonly log: Logger) {}

  get probeCount(): number {
    return this.byId.size;
  }

  get eventsMapFd(): number {
    return this.mapFd(MAPS.events);
  }

  /** fd of a map of the shared (first loaded) object. */
  mapFd(name: string): number {
    return this.sharedObject().map(name).fd;
  }

  async load(req: LoadRequest): Promise<void> {
    const features = this.native.features();
    for (const p of req.probes) if (!kindSupported(p.kind, features)) throw missingKindError(p);
    const units = planLoads(req.probes, features);
    if (units.length === 0) throw new RetisError('no probe to load', RetisErrorCode.Internal);
    for (const u of units) for (const p of u.probes) this.byId.set(p.id, p);

    // One static link per object kind in use (a bpftool child each: run them together).
    const started = process.hrtime.bigint();
    const kinds = [...new Set(units.map((u) => u.object))];
    const hooks = req.hooks.map((h) => h.objectPath);
    const linked = new Map<ObjectKind, LinkedObject>();
    try {
      const results = await Promise.allSettled(kinds.map((k) => linkProbe(probeObjectPath(k), hooks)));
      for (const [i, r] of results.entries()) {
        if (r.status === 'fulfilled') linked.set(kinds[i], r.value);
      }
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;

      const linkedAt = process.hrtime.bigint();
      const owners = req.hooks.map((h) => h.owner);
      const load = (u: LoadUnit) => this.loadUnit(u, linked.get(u.object)!.path, owners, req);
      // The first object creates the maps every other one reuses.
      await load(units[0]);
      await runLimited(units.slice(1), LOAD_CONCURRENCY, load);
      this.log.debug(`${units.length} program load(s) for ${this.byId.size} probe(s): linked in ${msSince(started, linkedAt)} ms, `
        + `loaded and attached in ${msSince(linkedAt)} ms`);
    } finally {
      await Promise.all([...linked.values()].map((l) => l.dispose()));
    }
    for (const v of req.mapValues) this.writeMap(v);
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

  /** kernel section `symbol` (a probe id) -> probe name, type and return value decoder. */
  symbolResolver(): (id: bigint) => ProbeSymbol | undefined {
    const symbols = new Map<bigint, ProbeSymbol>();
    for (const [id, { probe }] of this.byId) {
      const sym: ProbeSymbol = { name: probe.symbol, probeType: probe.kind };
      if (probe.kind === 'kretprobe' || probe.kind === 'fexit') {
        const decode = retvalDecoder(probe.returnType);
        if (decode) sym.retval = decode;
      }
      symbols.set(id, sym);
    }
    return (id) => symbols.get(id);
  }

  /** kernel section `stack_id` -> frames, kallsyms read on the first one. */
  stackResolver(): StackFrames {
    return stackResolver({ map: this.native.map, fd: this.mapFd(MAPS.stack), log: this.log });
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

  private async loadUnit(unit: LoadUnit, path: string, owners: number[], req: LoadRequest): Promise<void> {
    let obj = await this.loadObject(unit, path, owners, req);
    for (const p of unit.probes) this.writeProbeConfig(p, req);
    try {
      this.attach(obj, unit);
    } catch (e) {
      if (!unit.multi) throw e;
      // kprobe.multi refuses the whole set for one bad function (or a
      // module's, on older kernels): legacy kprobes then, one by one, so an
      // error names its function.
      this.log.debug(`kprobe.multi attach failed (${errorMessage(e)}): using one kprobe per function`);
      const legacy: LoadUnit = { ...unit, multi: false };
      obj = await this.loadObject(legacy, path, owners, req);
      this.attach(obj, legacy);
    }
  }

  private async loadObject(unit: LoadUnit, path: string, owners: number[], req: LoadRequest): Promise<BpfObject> {
    const info = PROBE_OBJECTS[unit.object];
    const obj = this.native.openObject(path, unit.name);
    this.objects.push(obj);
    const rodata = new Set(info.rodata);
    const set = (name: keyof typeof RODATA, value: Buffer) => {
      if (rodata.has(name)) obj.setGlobal(RODATA[name].name, value);
    };
    set('nargs', encodeNargs(unit.nargs));
    set('ksym', encodeKsym(unit.ksym));
    set('hookOwner', encodeHookOwners(owners));
    set('logLevel', encodeLogLevel(this.log.enabled('debug') ? LOG_LEVEL.debug : LOG_LEVEL.warn));
    set('trackingKprobes', encodeTrackingKprobes(req.trackingKprobes ?? false));
    set('threadSize', encodeThreadSize(req.threadSize ?? 16384));
    set('filters', encodeFilterFlags({ packet: req.filters?.l2 !== undefined, meta: req.filters?.meta !== undefined }));

    const wanted = new Set(unitPrograms(unit).map((role) => info.programs[role].name));
    for (const prog of obj.programs()) prog.setAutoload(wanted.has(prog.name));
    if (unit.attachTarget) obj.program(info.programs.main.name).setAttachTarget(unit.attachTarget);

    obj.patchCalls(FILTER_MAGIC.l2, req.filters?.l2 ?? defaultFilterInsns());
    obj.patchCalls(FILTER_MAGIC.l3, req.filters?.l3 ?? defaultFilterInsns());
    obj.patchCalls(FILTER_MAGIC.meta, req.filters?.meta ?? defaultFilterInsns());
    if (this.shared) {
      // Every object shares the first one's maps: one ring buffer, one config.
      const sharedMaps = new Set(this.shared.maps().map((m) => m.name));
      for (const m of obj.maps()) {
        if (!m.name.includes('.') && sharedMaps.has(m.name)) m.reuseFd(this.shared.map(m.name).fd);
      }
    }
    try {
      await obj.load();
    } catch (e) {
      const log = (e as { libbpfLog?: string }).libbpfLog;
      if (log) this.log.debug(log);
      const what = unit.attachTarget ? ` for ${unit.probes[0].key}` : '';
      throw new RetisError(`Could not load the probe program${what}: ${errorMessage(e)}`, RetisErrorCode.BpfLoad, log);
    }
    this.shared ??= obj;
    return obj;
  }

  /** Attaches every probe of a unit, or none: on failure, what was attached is detached. */
  private attach(obj: BpfObject, unit: LoadUnit): void {
    const links: Link[] = [];
    try {
      this.attachUnit(obj, unit, links);
    } catch (e) {
      for (const link of links) link.close();
      throw e;
    }
    this.links.push(...links);
  }

  private attachUnit(obj: BpfObject, unit: LoadUnit, links: Link[]): void {
    const info = PROBE_OBJECTS[unit.object];
    const prog = (role: string): ProgramSpec => obj.program(info.programs[role].name);
    const one = (p: PlannedProbe, fn: () => Link) => {
      try {
        links.push(fn());
      } catch (err) {
        throw new RetisError(`Could not attach to ${p.key}: ${errorMessage(err)}`, RetisErrorCode.BpfAttach);
      }
    };
    const funcs = unit.probes.map((p) => p.probe.attachName);
    const cookies = unit.probes.map((p) => p.id);
    switch (unit.object) {
      case 'rawTracepoint':
        for (const p of unit.probes) one(p, () => prog('main').attachRawTracepoint(p.probe.attachName, unit.cookies ? p.id : undefined));
        return;
      case 'fentry':
      case 'fexit':
        for (const p of unit.probes) one(p, () => prog('main').attachTrace());
        return;
      case 'kprobe':
        if (unit.multi) links.push(prog('multi').attachKprobeMulti(funcs, { cookies }));
        else for (const p of unit.probes) one(p, () => prog('main').attachKprobe(p.probe.attachName, { cookie: p.id }));
        return;
      case 'kretprobe':
        // The return side first: an entry without its return only fills the LRU map.
        if (unit.multi) {
          links.push(prog('multi').attachKprobeMulti(funcs, { retprobe: true, cookies }));
          links.push(prog('entryMulti').attachKprobeMulti(funcs, { cookies }));
        } else {
          for (const p of unit.probes) {
            one(p, () => prog('main').attachKprobe(p.probe.attachName, { retprobe: true, cookie: p.id }));
            one(p, () => prog('entry').attachKprobe(p.probe.attachName, { cookie: p.id }));
          }
        }
        return;
    }
  }

  private writeProbeConfig(p: PlannedProbe, req: LoadRequest): void {
    const value = encodeProbeConfig({
      offsets: probeOffsets(p.probe),
      stackTrace: req.stackAll || p.probe.stack,
      ...trackingRole(p.key, req.trackingKprobes ?? false),
      trackingOnly: p.probe.trackingOnly ?? false,
      probeType: WIRE_TYPE[p.probe.kind],
      nargs: p.probe.params.length,
    });
    this.native.map.update(this.mapFd(MAPS.config), encodeProbeId(p.id), value);
  }

  private writeMap(v: MapValue): void {
    let fd: number;
    try {
      fd = this.mapFd(v.map);
    } catch (e) {
      throw new RetisError(`no BPF map named ${v.map}: ${errorMessage(e)}`, RetisErrorCode.Internal);
    }
    this.native.map.update(fd, v.key, v.value);
  }

  private setEnabled(on: boolean): void {
    this.native.map.update(this.mapFd(MAPS.globalConfig), Buffer.alloc(4), encodeGlobalConfig(on));
  }

  private sharedObject(): BpfObject {
    if (!this.shared) throw new RetisError('no probe loaded', RetisErrorCode.Internal);
    return this.shared;
  }
}

function msSince(from: bigint, to = process.hrtime.bigint()): string {
  return (Number(to - from) / 1e6).toFixed(0);
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first failure once all settled. */
async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

