import { readFileSync } from 'fs';
import { basename } from 'path';
import {
  CONTEXT_LAYOUT,
  COUNTERS_KEY_LAYOUT,
  COUNTERS_LAYOUT,
  decodeCounters,
  decodeCountersKey,
  decodeTrackingInfo,
  defaultFilterInsns,
  encodeCountersKey,
  encodeGlobalConfig,
  encodeHookOwners,
  encodeNargs,
  encodeProbeId,
  encodeProbeConfig,
  encodeThreadSize,
  encodeTrackingKprobes,
  encodeFilterFlags,
  EVENT_MAX_SIZE,
  EVENTS_MAP_SIZE,
  FILTER_MAGIC,
  GLOBAL_CONFIG_LAYOUT,
  HOOK_MAX,
  hookSlotName,
  KERNEL_RETVAL_LAYOUT,
  KRET_ARGS_MAP,
  KRET_KEY_LAYOUT,
  MAPS,
  PROBE_CONFIG_LAYOUT,
  PROBE_MAX,
  PROBE_OBJECTS,
  PROBE_OFFSETS_LAYOUT,
  PROBE_TYPE,
  probeObjectPath,
  RAW_EVENT_LAYOUT,
  RODATA,
  SCRATCH_DEPTH,
  SECTION_HEADER_LAYOUT,
  STACK_DEPTH,
  STACK_MAX,
  TRACKING_INFO_LAYOUT,
  TRACKING_MAX,
} from './abi';
import { BtfDump } from './btf-dump';
import { BUNDLED_HOOKS, RAW_TRACEPOINT_OBJECT, requireBuilt } from './built-objects.testutil';
import { BpfElf } from './elf';

// Kernel uapi values (include/uapi/linux/bpf.h), independent of the code under test.
const BPF_MAP_TYPE = { hash: 1, array: 2, percpuArray: 6, stackTrace: 7, lruHash: 9, ringbuf: 27 };
const STT_FUNC = 2;

let probeBtf: BtfDump;
let probeElf: BpfElf;

beforeAll(() => {
  requireBuilt(RAW_TRACEPOINT_OBJECT, ...Object.values(BUNDLED_HOOKS));
  probeBtf = BtfDump.ofFile(RAW_TRACEPOINT_OBJECT);
  probeElf = new BpfElf(readFileSync(RAW_TRACEPOINT_OBJECT), 'raw_tracepoint.bpf.o');
});

describe('struct layouts match the BTF of the raw tracepoint probe', () => {
  const layouts = [
    PROBE_OFFSETS_LAYOUT,
    PROBE_CONFIG_LAYOUT,
    GLOBAL_CONFIG_LAYOUT,
    COUNTERS_KEY_LAYOUT,
    COUNTERS_LAYOUT,
    TRACKING_INFO_LAYOUT,
    RAW_EVENT_LAYOUT,
    SECTION_HEADER_LAYOUT,
    CONTEXT_LAYOUT,
  ];
  it.each(layouts.map((l) => [l.name, l] as const))('struct %s', (name, layout) => {
    expect(probeBtf.structLayout(name)).toEqual(layout);
  });
});

describe('maps of the raw tracepoint probe', () => {
  it('declares every map core uses, once', () => {
    for (const name of Object.values(MAPS)) expect(probeBtf.findAll(name, 'VAR')).toHaveLength(1);
  });

  it('config_map is an array indexed by the probe id with retis_probe_config values', () => {
    expect(probeBtf.mapDefinition(MAPS.config)).toEqual({
      type: BPF_MAP_TYPE.array,
      maxEntries: PROBE_MAX,
      keyType: 'u32',
      keySize: 4,
      valueType: 'struct retis_probe_config',
      valueSize: PROBE_CONFIG_LAYOUT.size,
    });
  });

  it('global_config_map is a one-entry array of retis_global_config', () => {
    expect(probeBtf.mapDefinition(MAPS.globalConfig)).toEqual({
      type: BPF_MAP_TYPE.array,
      maxEntries: 1,
      keyType: 'u32',
      keySize: 4,
      valueType: 'struct retis_global_config',
      valueSize: GLOBAL_CONFIG_LAYOUT.size,
    });
  });

  it('counters_map maps retis_counters_key to retis_counters', () => {
    expect(probeBtf.mapDefinition(MAPS.counters)).toEqual({
      type: BPF_MAP_TYPE.hash,
      maxEntries: PROBE_MAX,
      keyType: 'struct retis_counters_key',
      keySize: COUNTERS_KEY_LAYOUT.size,
      valueType: 'struct retis_counters',
      valueSize: COUNTERS_LAYOUT.size,
    });
  });

  it('tracking_map holds tracking_info keyed by a u64', () => {
    expect(probeBtf.mapDefinition(MAPS.tracking)).toEqual({
      type: BPF_MAP_TYPE.hash,
      maxEntries: TRACKING_MAX,
      keyType: 'u64',
      keySize: 8,
      valueType: 'struct tracking_info',
      valueSize: TRACKING_INFO_LAYOUT.size,
    });
  });

  it('tracking_addr_map is a 16384-slot array of skb address and tracking_info', () => {
    const def = probeBtf.mapDefinition(MAPS.trackingAddr);
    expect(def).toMatchObject({ type: BPF_MAP_TYPE.array, maxEntries: 16384, keyType: 'u32', keySize: 4 });
    // The skb address, then the same tracking_info as tracking_map.
    expect(def.valueSize).toBe(8 + TRACKING_INFO_LAYOUT.size);
  });

  it('tracking_heads_map counts head entries in 16384 u16 cells, four to a u64', () => {
    expect(probeBtf.mapDefinition(MAPS.trackingHeads)).toMatchObject({ type: BPF_MAP_TYPE.array, maxEntries: 4096, keySize: 4, valueSize: 8 });
  });

  it('tracking_addr_tags holds a u16 tag per tracking_addr_map slot, four to a u64', () => {
    expect(probeBtf.mapDefinition(MAPS.trackingAddrTags)).toMatchObject({ type: BPF_MAP_TYPE.array, maxEntries: 16384 / 4, keySize: 4, valueSize: 8 });
  });

  it('events_map is a ring buffer of 8192 maximum-size events', () => {
    expect(EVENTS_MAP_SIZE).toBe(2048 * 8192);
    expect(probeBtf.mapDefinition(MAPS.events)).toEqual({ type: BPF_MAP_TYPE.ringbuf, maxEntries: EVENTS_MAP_SIZE });
  });

  it('stack_map holds 256 stacks of 127 frames', () => {
    expect([STACK_MAX, STACK_DEPTH]).toEqual([256, 127]);
    expect(probeBtf.mapDefinition(MAPS.stack)).toEqual({
      type: BPF_MAP_TYPE.stackTrace,
      maxEntries: STACK_MAX,
      keySize: 4,
      valueSize: STACK_DEPTH * 8,
    });
  });

  it('scratch events are per-CPU raw events', () => {
    expect(probeBtf.mapDefinition(MAPS.eventScratch)).toMatchObject({
      type: BPF_MAP_TYPE.percpuArray,
      maxEntries: SCRATCH_DEPTH,
      valueType: 'struct retis_raw_event',
      valueSize: EVENT_MAX_SIZE,
    });
    expect(probeBtf.mapDefinition(MAPS.eventScratchDepth)).toMatchObject({
      type: BPF_MAP_TYPE.percpuArray,
      maxEntries: 1,
      valueSize: 4,
    });
  });
});

describe('probe program', () => {
  it('has every rodata variable core sets, with its size', () => {
    const vars = probeBtf.sectionVariables('.rodata');
    for (const key of PROBE_OBJECTS.rawTracepoint.rodata) expect(vars.get(RODATA[key].name)?.size).toBe(RODATA[key].size);
  });

  it('lives in its retis/ section under its documented name', () => {
    const { program, section } = PROBE_OBJECTS.rawTracepoint;
    const sec = probeElf.section(section);
    expect(sec).toBeDefined();
    const sym = probeElf.symbols().find((s) => s.name === program);
    expect(sym).toMatchObject({ binding: 'global', type: STT_FUNC, sectionIndex: sec?.index });
  });

  it('has one weak placeholder per hook slot', () => {
    const symbols = probeElf.symbols();
    for (let slot = 0; slot < HOOK_MAX; slot++) {
      const matches = symbols.filter((s) => s.name === `retis_hook_slot${slot}`);
      expect(matches).toEqual([expect.objectContaining({ binding: 'weak', type: STT_FUNC })]);
      expect(hookSlotName(slot)).toBe(`retis_hook_slot${slot}`);
    }
    expect(symbols.some((s) => s.name === `retis_hook_slot${HOOK_MAX}`)).toBe(false);
  });

  it('contains each filter placeholder call exactly once', () => {
    const text = probeElf.section('.text');
    expect(text).toBeDefined();
    const code = probeElf.bytes.subarray(text!.offset, text!.offset + text!.size);
    for (const magic of Object.values(FILTER_MAGIC)) {
      let calls = 0;
      for (let at = 0; at + 8 <= code.length; at += 8) {
        // BPF_JMP | BPF_CALL with src_reg 0 (helper call), imm = magic.
        if (code[at] === 0x85 && code[at + 1] === 0 && code.readUInt32LE(at + 4) === magic) calls++;
      }
      expect(calls).toBe(1);
    }
  });
});

describe('every generic probe object', () => {
  const kinds = Object.keys(PROBE_OBJECTS) as (keyof typeof PROBE_OBJECTS)[];
  const objects = new Map<string, { btf: BtfDump; elf: BpfElf }>();
  const of = (kind: keyof typeof PROBE_OBJECTS) => {
    if (!objects.has(kind)) {
      const path = probeObjectPath(kind);
      requireBuilt(path);
      objects.set(kind, { btf: BtfDump.ofFile(path), elf: new BpfElf(readFileSync(path), basename(path)) });
    }
    return objects.get(kind)!;
  };

  it.each(kinds)('%s: shares the hook ABI and the core layouts with the raw tracepoint probe', (kind) => {
    const { btf } = of(kind);
    for (const layout of [CONTEXT_LAYOUT, PROBE_CONFIG_LAYOUT, TRACKING_INFO_LAYOUT, COUNTERS_KEY_LAYOUT, RAW_EVENT_LAYOUT]) {
      expect(btf.structLayout(layout.name)).toEqual(layout);
    }
    for (const name of Object.values(MAPS)) expect(btf.findAll(name, 'VAR')).toHaveLength(1);
  });

  it.each(kinds)('%s: defines the rodata core sets on it', (kind) => {
    const vars = of(kind).btf.sectionVariables('.rodata');
    for (const name of PROBE_OBJECTS[kind].rodata) expect(vars.get(RODATA[name].name)?.size).toBe(RODATA[name].size);
  });

  it.each(kinds)('%s: every program lives in its retis/ section', (kind) => {
    const { elf } = of(kind);
    const symbols = elf.symbols();
    for (const { name, section } of Object.values(PROBE_OBJECTS[kind].programs)) {
      const sec = elf.section(section);
      expect(sec).toBeDefined();
      const inSection = symbols.filter((s) => s.type === STT_FUNC && s.binding === 'global' && s.sectionIndex === sec!.index);
      expect(inSection.map((s) => s.name)).toContain(name);
      // The kernel truncates program names to 15 characters: ours start with probe_ (tests look them up).
      expect(name.startsWith('probe_')).toBe(true);
    }
  });

  it('kretprobe: arguments saved at entry are keyed by stack base and probe id in an LRU map', () => {
    const { btf } = of('kretprobe');
    expect(btf.structLayout(KRET_KEY_LAYOUT.name)).toEqual(KRET_KEY_LAYOUT);
    expect(btf.mapDefinition(KRET_ARGS_MAP)).toMatchObject({
      type: BPF_MAP_TYPE.lruHash,
      keyType: 'struct retis_kret_key',
      keySize: KRET_KEY_LAYOUT.size,
      // Five saved registers (a kprobe reads the first five arguments).
      valueSize: 5 * 8,
    });
  });

  it('the return value section is exported where return probes write it', () => {
    for (const kind of ['kretprobe', 'fexit'] as const) {
      expect(of(kind).btf.structLayout(KERNEL_RETVAL_LAYOUT.name)).toEqual(KERNEL_RETVAL_LAYOUT);
    }
  });

  it('probe types extend the reference numbering without changing it', () => {
    expect(PROBE_TYPE).toEqual({ kprobe: 0, kretprobe: 1, rawTracepoint: 2, fentry: 3, fexit: 4 });
  });
});

describe('encoders', () => {
  const le = (buf: Buffer) => [...buf];

  it('encodes a probe id as a u32 index into config_map, refusing ids out of it', () => {
    expect(le(encodeProbeId(258n))).toEqual([2, 1, 0, 0]);
    expect(() => encodeProbeId(0n)).toThrow(RangeError);
    expect(() => encodeProbeId(BigInt(PROBE_MAX))).toThrow(/out of config_map/);
  });

  it('encodes a probe config at the BTF offsets', () => {
    const btfCfg = probeBtf.structLayout('retis_probe_config');
    const btfOff = probeBtf.structLayout('retis_probe_offsets');
    const buf = encodeProbeConfig({
      offsets: { skb: 0, dropReason: 2, netDevice: -1, net: 3, nftPktinfo: -1, nftTraceinfo: 11 },
      stackTrace: true,
      free: true,
      partialFree: false,
      invHead: false,
      noTracking: true,
      probeType: 2,
      trackingOnly: true,
      nargs: 4,
    });
    expect(buf.length).toBe(btfCfg.size);
    const base = btfCfg.fields.offsets.offset;
    expect(buf.readInt8(base + btfOff.fields.sk_buff.offset)).toBe(0);
    expect(buf.readInt8(base + btfOff.fields.skb_drop_reason.offset)).toBe(2);
    expect(buf.readInt8(base + btfOff.fields.net_device.offset)).toBe(-1);
    expect(buf.readInt8(base + btfOff.fields.net.offset)).toBe(3);
    expect(buf.readInt8(base + btfOff.fields.nft_pktinfo.offset)).toBe(-1);
    expect(buf.readInt8(base + btfOff.fields.nft_traceinfo.offset)).toBe(11);
    expect(buf[btfCfg.fields.stack_trace.offset]).toBe(1);
    expect(buf[btfCfg.fields.free.offset]).toBe(1);
    expect(buf[btfCfg.fields.partial_free.offset]).toBe(0);
    expect(buf[btfCfg.fields.inv_head.offset]).toBe(0);
    expect(buf[btfCfg.fields.no_tracking.offset]).toBe(1);
    expect(buf[btfCfg.fields.probe_type.offset]).toBe(2);
    expect(buf[btfCfg.fields.tracking_only.offset]).toBe(1);
    expect(buf[btfCfg.fields.nargs.offset]).toBe(4);
  });

  it('rejects offsets outside the raw arguments', () => {
    const cfg = {
      offsets: { skb: 12, dropReason: -1, netDevice: -1, net: -1, nftPktinfo: -1, nftTraceinfo: -1 },
      stackTrace: false,
      free: false,
      partialFree: false,
      invHead: false,
      noTracking: false,
      probeType: 2,
      nargs: 13,
    };
    // More arguments than a program reads: only the ones it can read count.
    expect(encodeProbeConfig({ ...cfg, offsets: { ...cfg.offsets, skb: 0 } })[PROBE_CONFIG_LAYOUT.fields.nargs.offset]).toBe(12);
    expect(() => encodeProbeConfig(cfg)).toThrow('probe offset skb must be -1 or an argument index below 12, got 12');
    expect(() => encodeProbeConfig({ ...cfg, offsets: { ...cfg.offsets, skb: -2 } })).toThrow(RangeError);
  });

  it('round-trips counters keys and reads counters', () => {
    const ksym = 0xffffffff81f0d680n;
    const key = encodeCountersKey({ ksym, pid: 4242 });
    const layout = probeBtf.structLayout('retis_counters_key');
    expect(key.length).toBe(layout.size);
    expect(key.readBigUInt64LE(layout.fields.ksym.offset)).toBe(ksym);
    expect(key.readUInt32LE(layout.fields.pid.offset)).toBe(4242);
    expect(key.readUInt32LE(layout.fields.pad.offset)).toBe(0);
    expect(decodeCountersKey(key)).toEqual({ ksym, pid: 4242 });

    const value = Buffer.alloc(probeBtf.structLayout('retis_counters').size);
    value.writeBigUInt64LE(2n ** 40n + 3n);
    expect(decodeCounters(value)).toEqual({ droppedEvents: 2n ** 40n + 3n });
    expect(() => decodeCounters(Buffer.alloc(4))).toThrow('counters_map value must be 8 bytes, got 4');
  });

  it('decodes tracking info from the BTF offsets', () => {
    const layout = probeBtf.structLayout('tracking_info');
    const buf = Buffer.alloc(layout.size);
    buf.writeBigUInt64LE(111n, layout.fields.timestamp.offset);
    buf.writeBigUInt64LE(222n, layout.fields.last_seen.offset);
    buf.writeBigUInt64LE(0xffff88810aba2000n, layout.fields.orig_head.offset);
    buf.writeBigUInt64LE(0xffff8881692efc00n, layout.fields.skb.offset);
    expect(decodeTrackingInfo(buf)).toEqual({
      timestamp: 111n,
      lastSeen: 222n,
      origHead: 0xffff88810aba2000n,
      skb: 0xffff8881692efc00n,
    });
  });

  it('encodes rodata values at their sizes', () => {
    expect(le(encodeNargs(3))).toEqual([3, 0, 0, 0]);
    expect(() => encodeNargs(13)).toThrow('nargs must be an integer in [0, 12], got 13');
    expect(le(encodeHookOwners([4, 5, 6, 10, 11]))).toEqual([4, 5, 6, 10, 11, 0, 0, 0, 0, 0]);
    expect(() => encodeHookOwners(new Array(11).fill(6))).toThrow('at most 10 hooks per probe, got 11');
    expect(() => encodeHookOwners([6, 0])).toThrow('hook owner of slot 1 must be in [1, 255], got 0');
    expect(le(encodeGlobalConfig(true))).toEqual([1]);
    expect(le(encodeGlobalConfig(false))).toEqual([0]);
    expect(le(encodeTrackingKprobes(true))).toEqual([1]);
    // retis_filters.h: RETIS_FILTER_PACKET (1), RETIS_FILTER_META (2).
    expect(le(encodeFilterFlags({ packet: true, meta: false }))).toEqual([1]);
    expect(le(encodeFilterFlags({ packet: false, meta: true }))).toEqual([2]);
    expect(le(encodeFilterFlags({ packet: true, meta: true }))).toEqual([3]);
    expect(le(encodeFilterFlags({ packet: false, meta: false }))).toEqual([0]);
    expect(le(encodeThreadSize(16384))).toEqual([0, 0x40, 0, 0, 0, 0, 0, 0]);
    expect(() => encodeThreadSize(12288)).toThrow('thread size must be a power of two of at least 4096, got 12288');
  });

  it('the default filter body is mov32 r0, 0x40000', () => {
    // opcode BPF_ALU|BPF_MOV|BPF_K, dst r0, off 0, imm 0x00040000 (little endian).
    expect(le(defaultFilterInsns())).toEqual([0xb4, 0, 0, 0, 0x00, 0x00, 0x04, 0x00]);
  });
});

describe('section structs are in the BTF of the objects that write them', () => {
  // Sizes from the wire format (docs/wire-format.md).
  const cases: [string, string, number][] = [
    [RAW_TRACEPOINT_OBJECT, 'common_event', 16],
    [RAW_TRACEPOINT_OBJECT, 'common_task_event', 72],
    [RAW_TRACEPOINT_OBJECT, 'kernel_event', 24],
    [BUNDLED_HOOKS.skb, 'skb_packet_event', 264],
    [BUNDLED_HOOKS.skb, 'skb_vlan_event', 6],
    [BUNDLED_HOOKS.skb, 'skb_meta_event', 24],
    [BUNDLED_HOOKS.skb, 'skb_data_ref_event', 5],
    [BUNDLED_HOOKS.skb, 'skb_gso_event', 16],
    [BUNDLED_HOOKS.skbDrop, 'skb_drop_event', 4],
    [BUNDLED_HOOKS.skbTracking, 'skb_tracking_event', 24],
    [BUNDLED_HOOKS.dev, 'dev_event', 24],
    [BUNDLED_HOOKS.ns, 'ns_event', 16],
  ];
  const dumps = new Map<string, BtfDump>();
  const dumpOf = (path: string) => {
    if (!dumps.has(path)) dumps.set(path, BtfDump.ofFile(path));
    return dumps.get(path)!;
  };

  it.each(cases.map(([o, n, s]) => [basename(o), n, s, o] as const))(
    '%s: struct %s is %d bytes with no implicit padding',
    (_file, name, size, object) => {
    const layout = dumpOf(object).structLayout(name);
    expect(layout.size).toBe(size);
    const covered = Object.values(layout.fields).reduce((sum, f) => sum + f.size, 0);
    expect(covered).toBe(size);
    },
  );
});
