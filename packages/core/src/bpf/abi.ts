/**
 * What core must know about the generic probe objects: names of their maps,
 * rodata and programs, magic values, limits, and the layouts of the structs
 * it writes into or reads from maps, with their encoders and decoders.
 *
 * The C headers in bpf-common/include are the definitions; abi.test.ts checks
 * every name, size and offset here against the BTF of the built objects.
 */
import { endianness } from 'os';
import { resolve } from 'path';
import type { StructLayout } from '../events/layout';

const LE = endianness() === 'LE';

/* ---------------------------------------------------------------- limits */

/** Hook slots per probe program. */
export const HOOK_MAX = 10;
/** Raw arguments a probe reads at most. */
export const MAX_ARGS = 12;
/** config_map and counters_map capacity. */
export const PROBE_MAX = 1024;
/** tracking_map capacity. */
export const TRACKING_MAX = 8192;
/** Largest raw event, its u16 size field included. */
export const EVENT_MAX_SIZE = 2048;
/** events_map (ring buffer) size in bytes. */
export const EVENTS_MAP_SIZE = EVENT_MAX_SIZE * 8192;
/** stack_map entries and frames per entry. */
export const STACK_MAX = 256;
export const STACK_DEPTH = 127;
/** Per-CPU scratch events (nesting depth of probes on one CPU). */
export const SCRATCH_DEPTH = 4;

/** A hook returns -ENOMSG to discard the whole event. */
export const ENOMSG = 42;

/* ---------------------------------------------------------------- owners */

/** Section owner ids (reference FactoryId). Collectors outside this list get ids >= THIRD_PARTY_OWNER_MIN. */
export const OWNER = {
  common: 1,
  kernel: 2,
  userspace: 3,
  skbTracking: 4,
  skbDrop: 5,
  skb: 6,
  ovs: 7,
  nft: 8,
  ct: 9,
  dev: 10,
  ns: 11,
} as const;
export const THIRD_PARTY_OWNER_MIN = 128;
export const OWNER_MAX = 255;

/** Data types of the core sections. */
export const COMMON_SECTION = { core: 0, task: 1 } as const;
/** `retval`: return probes only (kretprobe, fexit). */
export const KERNEL_SECTION = { core: 0, retval: 1 } as const;

/** kernel section `type`, retis_probe_config.probe_type (fentry and fexit are additions to the reference). */
export const PROBE_TYPE = { kprobe: 0, kretprobe: 1, rawTracepoint: 2, fentry: 3, fexit: 4 } as const;

/* --------------------------------------------------------------- objects */

export type ProbeKind = 'rawTracepoint' | 'kprobe' | 'kretprobe' | 'fentry' | 'fexit';

export interface ProbeProgramInfo {
  /** Program name in the object. */
  readonly name: string;
  /** Program section name (the addon registers a handler per retis/ section). */
  readonly section: string;
}

export interface ProbeObjectInfo {
  /** File in bpf-common/dist. */
  readonly file: string;
  /** The program core loads by default. */
  readonly program: string;
  readonly section: string;
  /** Every program of the object by role (kprobes: legacy and kprobe.multi variants). */
  readonly programs: Readonly<Record<string, ProbeProgramInfo>>;
  /** RODATA entries the object defines. */
  readonly rodata: readonly RodataName[];
}

function probeObject(file: string, programs: Record<string, ProbeProgramInfo>, rodata: RodataName[]): ProbeObjectInfo {
  const first = Object.values(programs)[0];
  return { file, program: first.name, section: first.section, programs, rodata };
}

/** rodata every probe object has (retis_chain.h, retis_hook_slots.h, retis_tracking.h, retis_filters.h). */
const CHAIN_RODATA: RodataName[] = ['hookOwner', 'logLevel', 'trackingKprobes', 'filters'];

export const PROBE_OBJECTS: Readonly<Record<ProbeKind, ProbeObjectInfo>> = {
  rawTracepoint: probeObject('raw_tracepoint.bpf.o', {
    main: { name: 'probe_raw_tracepoint', section: 'retis/raw_tracepoint' },
  }, ['nargs', 'ksym', ...CHAIN_RODATA]),
  kprobe: probeObject('kprobe.bpf.o', {
    main: { name: 'probe_kprobe', section: 'retis/kprobe' },
    multi: { name: 'probe_kprobe_multi', section: 'retis/kprobe.multi' },
  }, CHAIN_RODATA),
  kretprobe: probeObject('kretprobe.bpf.o', {
    main: { name: 'probe_kretprobe', section: 'retis/kretprobe' },
    entry: { name: 'probe_kret_entry', section: 'retis/kprobe' },
    multi: { name: 'probe_kretprobe_multi', section: 'retis/kprobe.multi' },
    entryMulti: { name: 'probe_kret_entry_multi', section: 'retis/kprobe.multi' },
  }, ['threadSize', ...CHAIN_RODATA]),
  fentry: probeObject('fentry.bpf.o', {
    main: { name: 'probe_fentry', section: 'retis/fentry' },
  }, ['nargs', 'ksym', ...CHAIN_RODATA]),
  fexit: probeObject('fexit.bpf.o', {
    main: { name: 'probe_fexit', section: 'retis/fexit' },
  }, ['nargs', 'ksym', ...CHAIN_RODATA]),
};

/** Built object of a generic probe (bpf-common/dist, two levels above src/ and lib/). */
export function probeObjectPath(kind: ProbeKind): string {
  return resolve(__dirname, '../../../../bpf-common/dist', PROBE_OBJECTS[kind].file);
}

/** Maps of the probe objects (retis_core_maps.h, retis_tracking.h). */
export const MAPS = {
  globalConfig: 'global_config_map',
  config: 'config_map',
  events: 'events_map',
  counters: 'counters_map',
  stack: 'stack_map',
  tracking: 'tracking_map',
  trackingAddr: 'tracking_addr_map',
  trackingAddrTags: 'tracking_addr_tags',
  trackingHeads: 'tracking_heads_map',
  trackingLive: 'tracking_live_map',
  eventScratch: 'event_scratch_map',
  eventScratchDepth: 'event_scratch_depth',
  skbSnap: 'skb_snap_map',
} as const;

/** Map of the kretprobe object only: arguments saved at entry, keyed by retis_kret_key. */
export const KRET_ARGS_MAP = 'kret_args_map';

export type RodataName = keyof typeof RODATA;

/** `const volatile` globals core sets before load, with their sizes. */
export const RODATA = {
  /**
   * u32: arguments of the target function (fentry, fexit programs); raw
   * tracepoints: the arguments every tracepoint of the program has, loaded
   * from its context.
   */
  nargs: { name: 'nargs', size: 4 },
  /** u64: probe id when raw tracepoint cookies are unavailable, else 0 (id = cookie). */
  ksym: { name: 'ksym', size: 8 },
  /** u8[HOOK_MAX]: section owner per hook slot, 0 = empty slot. */
  hookOwner: { name: 'hook_owner', size: HOOK_MAX },
  /** u8: LOG_LEVEL value. */
  logLevel: { name: 'log_level', size: 1 },
  /** u8: 1 when the tracking kprobes are installed (the reference's tracking), 0 for tracepoint-only tracking. */
  trackingKprobes: { name: 'retis_tracking_kprobes', size: 1 },
  /** u64: the kernel's THREAD_SIZE (kretprobe object: stack base of a call). */
  threadSize: { name: 'retis_thread_size', size: 8 },
  /** u8: FILTER_FLAGS of the filters spliced in; the others let everything pass without running. */
  filters: { name: 'retis_filters', size: 1 },
} as const;

/** retis_filters rodata bits (retis_filters.h). */
export const FILTER_FLAGS = { packet: 1, meta: 2 } as const;

export const LOG_LEVEL = { off: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;

/* ----------------------------------------------------------------- hooks */

/** Name of the hook function in a collector's hook object, before linking. */
export const HOOK_SLOT_PLACEHOLDER = 'retis_hook_slotX';

/** Name of the function of hook slot `slot` (a weak placeholder in the probe objects). */
export function hookSlotName(slot: number): string {
  return `retis_hook_slot${slot}`;
}

/* --------------------------------------------------------------- filters */

/** Immediates of the `call` placeholders the filters are spliced in place of. */
export const FILTER_MAGIC = { l2: 0xdeadbeef, l3: 0xdeadc0de, meta: 0xdeadbeed } as const;
/** A filter body's verdict for "match" (what libpcap returns). */
export const FILTER_MATCH = 0x40000;

/** ctx->filters_ret bits. */
export const FILTER_FLAG = { packetPass: 1 << 0, metaPass: 1 << 1, stackPass: 1 << 2 } as const;

/** `mov32 r0, imm`, one eBPF instruction. */
export function mov32R0(imm: number): Buffer {
  const insn = Buffer.alloc(8);
  insn[0] = 0xb4; // BPF_ALU | BPF_MOV | BPF_K, dst r0, src r0
  if (LE) insn.writeInt32LE(imm | 0, 4);
  else insn.writeInt32BE(imm | 0, 4);
  return insn;
}

/** Body of a filter that is not set: everything matches. */
export function defaultFilterInsns(): Buffer {
  return mov32R0(FILTER_MATCH);
}

/* --------------------------------------------------------------- layouts */

export const PROBE_OFFSETS_LAYOUT: StructLayout = {
  name: 'retis_probe_offsets',
  size: 8,
  fields: {
    sk_buff: { offset: 0, size: 1 },
    skb_drop_reason: { offset: 1, size: 1 },
    net_device: { offset: 2, size: 1 },
    net: { offset: 3, size: 1 },
    nft_pktinfo: { offset: 4, size: 1 },
    nft_traceinfo: { offset: 5, size: 1 },
    pad: { offset: 6, size: 2 },
  },
};

export const PROBE_CONFIG_LAYOUT: StructLayout = {
  name: 'retis_probe_config',
  size: 16,
  fields: {
    offsets: { offset: 0, size: 8 },
    stack_trace: { offset: 8, size: 1 },
    free: { offset: 9, size: 1 },
    partial_free: { offset: 10, size: 1 },
    inv_head: { offset: 11, size: 1 },
    no_tracking: { offset: 12, size: 1 },
    probe_type: { offset: 13, size: 1 },
    tracking_only: { offset: 14, size: 1 },
    nargs: { offset: 15, size: 1 },
  },
};

export const GLOBAL_CONFIG_LAYOUT: StructLayout = {
  name: 'retis_global_config',
  size: 1,
  fields: { enabled: { offset: 0, size: 1 } },
};

export const COUNTERS_KEY_LAYOUT: StructLayout = {
  name: 'retis_counters_key',
  size: 16,
  fields: {
    ksym: { offset: 0, size: 8 },
    pid: { offset: 8, size: 4 },
    pad: { offset: 12, size: 4 },
  },
};

export const COUNTERS_LAYOUT: StructLayout = {
  name: 'retis_counters',
  size: 8,
  fields: { dropped_events: { offset: 0, size: 8 } },
};

export const TRACKING_INFO_LAYOUT: StructLayout = {
  name: 'tracking_info',
  size: 32,
  fields: {
    timestamp: { offset: 0, size: 8 },
    last_seen: { offset: 8, size: 8 },
    orig_head: { offset: 16, size: 8 },
    skb: { offset: 24, size: 8 },
  },
};

export const KRET_KEY_LAYOUT: StructLayout = {
  name: 'retis_kret_key',
  size: 16,
  fields: { stack_base: { offset: 0, size: 8 }, ksym: { offset: 8, size: 8 } },
};

/** kernel section data type 1 (docs/probes.md). */
export const KERNEL_RETVAL_LAYOUT: StructLayout = {
  name: 'kernel_retval_event',
  size: 8,
  fields: { retval: { offset: 0, size: 8 } },
};

export const RAW_EVENT_LAYOUT: StructLayout = {
  name: 'retis_raw_event',
  size: EVENT_MAX_SIZE,
  fields: { size: { offset: 0, size: 2 }, data: { offset: 2, size: EVENT_MAX_SIZE - 2 } },
};

export const SECTION_HEADER_LAYOUT: StructLayout = {
  name: 'retis_raw_event_section_header',
  size: 4,
  fields: {
    owner: { offset: 0, size: 1 },
    data_type: { offset: 1, size: 1 },
    size: { offset: 2, size: 2 },
  },
};

/**
 * The context every hook receives. Not written by core, but it is the ABI of
 * hook objects: a change here means every hook must be rebuilt.
 */
export const CONTEXT_LAYOUT: StructLayout = {
  name: 'retis_context',
  size: 192,
  fields: {
    ksym: { offset: 0, size: 8 },
    timestamp: { offset: 8, size: 8 },
    args: { offset: 16, size: 8 * MAX_ARGS },
    retval: { offset: 112, size: 8 },
    skb: { offset: 120, size: 8 },
    net_device: { offset: 128, size: 8 },
    net: { offset: 136, size: 8 },
    tracking: { offset: 144, size: 24 },
    offsets: { offset: 168, size: 8 },
    num: { offset: 176, size: 4 },
    filters_ret: { offset: 180, size: 4 },
    probe_type: { offset: 184, size: 1 },
    log_level: { offset: 185, size: 1 },
    skb_snap: { offset: 186, size: 1 },
    pad: { offset: 187, size: 5 },
  },
};

/* -------------------------------------------------------------- encoders */

/** Argument positions, -1 when the probe has no argument of that type (reference §7.3). */
export interface ProbeOffsetValues {
  skb: number;
  dropReason: number;
  netDevice: number;
  net: number;
  nftPktinfo: number;
  nftTraceinfo: number;
}

export interface ProbeConfigValues {
  offsets: ProbeOffsetValues;
  stackTrace: boolean;
  free: boolean;
  partialFree: boolean;
  invHead: boolean;
  noTracking: boolean;
  probeType: number;
  /** The probe only ends tracking (a free tracepoint nobody asked for): no event. */
  trackingOnly?: boolean;
  /** Arguments of the probed function or tracepoint (BTF parameters); bounds what hooks can read. */
  nargs: number;
}

function checkOffset(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -1 || value >= MAX_ARGS) {
    throw new RangeError(`probe offset ${name} must be -1 or an argument index below ${MAX_ARGS}, got ${value}`);
  }
  return value;
}

function checkU8(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} must be a u8, got ${value}`);
  return value;
}

function writeU64(buf: Buffer, value: bigint, offset: number): void {
  if (LE) buf.writeBigUInt64LE(BigInt.asUintN(64, value), offset);
  else buf.writeBigUInt64BE(BigInt.asUintN(64, value), offset);
}

function readU64(buf: Buffer, offset: number): bigint {
  return LE ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
}

function writeU32(buf: Buffer, value: number, offset: number): void {
  if (LE) buf.writeUInt32LE(value, offset);
  else buf.writeUInt32BE(value, offset);
}

function readU32(buf: Buffer, offset: number): number {
  return LE ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
}

function expectLength(what: string, buf: Buffer, size: number): void {
  if (buf.length !== size) throw new RangeError(`${what} must be ${size} bytes, got ${buf.length}`);
}

/** config_map value of a probe. */
export function encodeProbeConfig(cfg: ProbeConfigValues): Buffer {
  const buf = Buffer.alloc(PROBE_CONFIG_LAYOUT.size);
  const o = PROBE_OFFSETS_LAYOUT.fields;
  const c = PROBE_CONFIG_LAYOUT.fields;
  const base = c.offsets.offset;
  buf.writeInt8(checkOffset('skb', cfg.offsets.skb), base + o.sk_buff.offset);
  buf.writeInt8(checkOffset('dropReason', cfg.offsets.dropReason), base + o.skb_drop_reason.offset);
  buf.writeInt8(checkOffset('netDevice', cfg.offsets.netDevice), base + o.net_device.offset);
  buf.writeInt8(checkOffset('net', cfg.offsets.net), base + o.net.offset);
  buf.writeInt8(checkOffset('nftPktinfo', cfg.offsets.nftPktinfo), base + o.nft_pktinfo.offset);
  buf.writeInt8(checkOffset('nftTraceinfo', cfg.offsets.nftTraceinfo), base + o.nft_traceinfo.offset);
  buf[c.stack_trace.offset] = cfg.stackTrace ? 1 : 0;
  buf[c.free.offset] = cfg.free ? 1 : 0;
  buf[c.partial_free.offset] = cfg.partialFree ? 1 : 0;
  buf[c.inv_head.offset] = cfg.invHead ? 1 : 0;
  buf[c.no_tracking.offset] = cfg.noTracking ? 1 : 0;
  buf[c.probe_type.offset] = checkU8('probeType', cfg.probeType);
  buf[c.tracking_only.offset] = cfg.trackingOnly ? 1 : 0;
  buf[c.nargs.offset] = checkU8('nargs', Math.min(cfg.nargs, MAX_ARGS));
  return buf;
}

/** global_config_map value; core enables the probes once all are attached. */
export function encodeGlobalConfig(enabled: boolean): Buffer {
  return Buffer.from([enabled ? 1 : 0]);
}

/** Key of config_map: the probe id, an index into the array. */
export function encodeProbeId(id: bigint): Buffer {
  if (id <= 0n || id >= BigInt(PROBE_MAX)) throw new RangeError(`probe id ${id} out of config_map (1..${PROBE_MAX - 1})`);
  const buf = Buffer.alloc(4);
  writeU32(buf, Number(id), 0);
  return buf;
}

/** Slots of tracking_live_map (retis_tracking.h): entries probes created, entries the GC removed. */
export const TRACKING_LIVE = { probes: 0, gc: 1 } as const;

/** Key of tracking_live_map. */
export function encodeU32Key(value: number): Buffer {
  const buf = Buffer.alloc(4);
  writeU32(buf, value, 0);
  return buf;
}

/** Key of tracking_map (an skb head). */
export function encodeU64Key(value: bigint): Buffer {
  const buf = Buffer.alloc(8);
  writeU64(buf, value, 0);
  return buf;
}

export function decodeU64Key(buf: Buffer): bigint {
  expectLength('u64 key', buf, 8);
  return readU64(buf, 0);
}

export interface CountersKey {
  ksym: bigint;
  /** 0 for kernel probes. */
  pid: number;
}

export function encodeCountersKey(key: CountersKey): Buffer {
  const buf = Buffer.alloc(COUNTERS_KEY_LAYOUT.size);
  writeU64(buf, key.ksym, COUNTERS_KEY_LAYOUT.fields.ksym.offset);
  writeU32(buf, key.pid, COUNTERS_KEY_LAYOUT.fields.pid.offset);
  return buf;
}

export function decodeCountersKey(buf: Buffer): CountersKey {
  expectLength('counters_map key', buf, COUNTERS_KEY_LAYOUT.size);
  return {
    ksym: readU64(buf, COUNTERS_KEY_LAYOUT.fields.ksym.offset),
    pid: readU32(buf, COUNTERS_KEY_LAYOUT.fields.pid.offset),
  };
}

/** counters_map value: events lost by that probe. */
export function decodeCounters(buf: Buffer): { droppedEvents: bigint } {
  expectLength('counters_map value', buf, COUNTERS_LAYOUT.size);
  return { droppedEvents: readU64(buf, COUNTERS_LAYOUT.fields.dropped_events.offset) };
}

export interface TrackingInfo {
  timestamp: bigint;
  lastSeen: bigint;
  origHead: bigint;
  skb: bigint;
}

/** tracking_map value (the garbage collector reads last_seen). */
export function decodeTrackingInfo(buf: Buffer): TrackingInfo {
  expectLength('tracking_map value', buf, TRACKING_INFO_LAYOUT.size);
  const f = TRACKING_INFO_LAYOUT.fields;
  return {
    timestamp: readU64(buf, f.timestamp.offset),
    lastSeen: readU64(buf, f.last_seen.offset),
    origHead: readU64(buf, f.orig_head.offset),
    skb: readU64(buf, f.skb.offset),
  };
}

/* ---------------------------------------------------------- rodata values */

export function encodeNargs(nargs: number): Buffer {
  if (!Number.isInteger(nargs) || nargs < 0 || nargs > MAX_ARGS) {
    throw new RangeError(`nargs must be an integer in [0, ${MAX_ARGS}], got ${nargs}`);
  }
  const buf = Buffer.alloc(RODATA.nargs.size);
  writeU32(buf, nargs, 0);
  return buf;
}

export function encodeKsym(ksym: bigint): Buffer {
  return encodeU64Key(ksym);
}

/** hook_owner rodata: owners[i] is the owner id of slot i; missing slots are empty. */
export function encodeHookOwners(owners: readonly number[]): Buffer {
  if (owners.length > HOOK_MAX) throw new RangeError(`at most ${HOOK_MAX} hooks per probe, got ${owners.length}`);
  const buf = Buffer.alloc(RODATA.hookOwner.size);
  owners.forEach((owner, slot) => {
    if (!Number.isInteger(owner) || owner < 1 || owner > OWNER_MAX) {
      throw new RangeError(`hook owner of slot ${slot} must be in [1, ${OWNER_MAX}], got ${owner}`);
    }
    buf[slot] = owner;
  });
  return buf;
}

export function encodeLogLevel(level: number): Buffer {
  return Buffer.from([checkU8('log level', level)]);
}

export function encodeFilterFlags(filters: { packet: boolean; meta: boolean }): Buffer {
  return Buffer.from([(filters.packet ? FILTER_FLAGS.packet : 0) | (filters.meta ? FILTER_FLAGS.meta : 0)]);
}

export function encodeTrackingKprobes(on: boolean): Buffer {
  return Buffer.from([on ? 1 : 0]);
}

/** THREAD_SIZE is a power of two: the stack base is an address masked with it. */
export function encodeThreadSize(size: number): Buffer {
  if (!Number.isInteger(size) || size < 4096 || (size & (size - 1)) !== 0) {
    throw new RangeError(`thread size must be a power of two of at least 4096, got ${size}`);
  }
  return encodeU64Key(BigInt(size));
}

/** stack_map value: the frames' addresses, up to the first zero. */
export function decodeStackTrace(buf: Buffer): bigint[] {
  expectLength('stack_map value', buf, STACK_DEPTH * 8);
  const frames: bigint[] = [];
  for (let at = 0; at < buf.length; at += 8) {
    const addr = readU64(buf, at);
    if (addr === 0n) break;
    frames.push(addr);
  }
  return frames;
}

/** stack_map key: a stack id (u32). */
export function encodeStackId(id: number): Buffer {
  const buf = Buffer.alloc(4);
  writeU32(buf, id >>> 0, 0);
  return buf;
}
