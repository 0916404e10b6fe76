/**
 * The probe manager's load and attach decisions, on a recording fake of the
 * addon (the real kinds are exercised in test/e2e and, for kprobes and
 * trampolines, in the VM tests). Linking runs bpftool on the built objects.
 */
import type { BpfNative, KernelFeatures } from '@retis/bpf-native';
import { PROBE_CONFIG_LAYOUT, PROBE_OBJECTS, PROBE_TYPE, probeObjectPath, RODATA } from '../bpf/abi';
import { requireBuilt } from '../bpf/built-objects.testutil';
import type { ResolvedProbe } from '../kernel/inspector';
import type { Logger } from '../log';
import { ProbeManager } from './manager';
import { FakeNative } from './test-support/fake-native';

const ALL: KernelFeatures = {
  rawTracepoint: true, rawTracepointCookie: true, tpBtf: true, tracepoint: true, kprobe: true, kprobeMulti: true,
  kretprobe: true, fentry: true, fexit: true, uprobe: true, ringbuf: true,
};
const SKB = { name: 'skb', type: 'struct sk_buff *' };
const INT = { kind: 'int', size: 4, signed: true, name: 'int' } as const;

const probe = (kind: ResolvedProbe['kind'], symbol: string, extra: Partial<ResolvedProbe> = {}): ResolvedProbe => ({
  kind, symbol, attachName: kind === 'raw_tracepoint' ? symbol.split(':')[1] : symbol,
  params: [SKB, { name: 'x', type: 'int' }], returnType: kind === 'raw_tracepoint' ? undefined : INT, stack: false, ...extra,
});

const log = { debug: () => {}, warn: () => {}, info: () => {}, error: () => {}, enabled: () => false } as unknown as Logger;

beforeAll(() => requireBuilt(...Object.keys(PROBE_OBJECTS).map((k) => probeObjectPath(k as keyof typeof PROBE_OBJECTS))));

async function loaded(probes: ResolvedProbe[], features = ALL, setup?: (n: FakeNative) => void, trackingKprobes = false) {
  const native = new FakeNative(features);
  setup?.(native);
  const manager = new ProbeManager(native as unknown as BpfNative, log);
  await manager.load({ probes, hooks: [], mapValues: [], stackAll: false, trackingKprobes });
  return { native, manager };
}

describe('ProbeManager', () => {
  it('attaches every kprobe through one kprobe.multi link, ids as cookies', async () => {
    const { native } = await loaded([probe('raw_tracepoint', 'net:netif_receive_skb'), probe('kprobe', 'ip_rcv'), probe('kprobe', 'tcp_v4_rcv')]);
    const kp = native.attaches.filter((a) => a.object === 'retis_kprobe');
    expect(kp).toEqual([expect.objectContaining({ kind: 'kprobeMulti', program: 'probe_kprobe_multi', target: ['ip_rcv', 'tcp_v4_rcv'], cookies: [2n, 3n], retprobe: false })]);
    const obj = native.objects.find((o) => o.name === 'retis_kprobe')!;
    expect(obj.autoload.get('probe_kprobe_multi')).toBe(true);
    expect(obj.autoload.get('probe_kprobe')).toBe(false);
  });

  it('pairs kretprobes: the return program, then the entry one, on every function', async () => {
    const { native } = await loaded([probe('kretprobe', 'ip_rcv_core')], ALL, undefined, false);
    expect(native.attaches.map((a) => [a.program, a.retprobe, a.cookies])).toEqual([
      ['probe_kretprobe_multi', true, [1n]],
      ['probe_kret_entry_multi', false, [1n]],
    ]);
    const obj = native.objects[0];
    expect(obj.globals.get(RODATA.threadSize.name)?.readBigUInt64LE()).toBe(16384n);
  });

  it('uses one legacy kprobe per function without kprobe.multi', async () => {
    const { native } = await loaded([probe('kprobe', 'ip_rcv'), probe('kretprobe', 'ip_rcv_core')], { ...ALL, kprobeMulti: false });
    expect(native.attaches.map((a) => [a.program, a.kind, a.target, a.retprobe, a.cookies])).toEqual([
      ['probe_kprobe', 'kprobe', 'ip_rcv', false, [1n]],
      ['probe_kretprobe', 'kprobe', 'ip_rcv_core', true, [2n]],
      ['probe_kret_entry', 'kprobe', 'ip_rcv_core', false, [2n]],
    ]);
  });

  it('falls back to legacy kprobes when kprobe.multi refuses, leaving nothing of the first attempt', async () => {
    const { native } = await loaded([probe('kretprobe', 'ip_rcv_core'), probe('kretprobe', 'mod_func')], ALL, (n) => {
      n.failAttach = (c) => c.kind === 'kprobeMulti' && !c.retprobe;
    });
    // The multi return link got attached, then the entry one failed: it was closed.
    const multi = native.attaches.filter((a) => a.kind === 'kprobeMulti');
    expect(multi).toEqual([expect.objectContaining({ retprobe: true, closed: true })]);
    const legacy = native.attaches.filter((a) => a.kind === 'kprobe');
    expect(legacy.map((a) => [a.target, a.retprobe, a.closed])).toEqual([
      ['ip_rcv_core', true, false], ['ip_rcv_core', false, false], ['mod_func', true, false], ['mod_func', false, false],
    ]);
  });

  it('names the function a legacy kprobe could not attach to', async () => {
    await expect(loaded([probe('kprobe', 'ip_rcv'), probe('kprobe', 'bad')], { ...ALL, kprobeMulti: false }, (n) => {
      n.failAttach = (c) => c.target === 'bad';
    })).rejects.toThrow('Could not attach to kprobe:bad: Invalid argument');
  });

  it('loads fentry and fexit once per function, target and id set before load', async () => {
    const { native } = await loaded([probe('fentry', 'ip_local_deliver'), probe('fexit', 'ip_rcv', { params: [SKB, SKB, SKB] })]);
    const [fentry, fexit] = native.objects;
    expect([fentry.attachTarget, fentry.globals.get(RODATA.ksym.name)?.readBigUInt64LE()]).toEqual(['ip_local_deliver', 1n]);
    expect([fexit.attachTarget, fexit.globals.get(RODATA.ksym.name)?.readBigUInt64LE(), fexit.globals.get(RODATA.nargs.name)?.readUInt32LE()])
      .toEqual(['ip_rcv', 2n, 3]);
    expect(native.attaches.map((a) => [a.kind, a.target])).toEqual([['trace', 'ip_local_deliver'], ['trace', 'ip_rcv']]);
  });

  it('writes each probe\'s config: type, argument count and tracking role of the variant in use', async () => {
    const { native } = await loaded([
      probe('raw_tracepoint', 'skb:kfree_skb'),
      probe('kprobe', 'skb_free_head', { trackingOnly: true, params: [SKB] }),
      probe('fexit', 'ip_rcv'),
    ], ALL, undefined, true);
    const cfg = native.configs();
    const f = PROBE_CONFIG_LAYOUT.fields;
    expect([...cfg.keys()]).toEqual([1n, 2n, 3n]);
    const [tp, free, fexit] = [cfg.get(1n)!, cfg.get(2n)!, cfg.get(3n)!];
    // With tracking kprobes, skb:kfree_skb does not end tracking; skb_free_head does.
    expect([tp[f.free.offset], tp[f.probe_type.offset], tp[f.nargs.offset]]).toEqual([0, PROBE_TYPE.rawTracepoint, 2]);
    expect([free[f.free.offset], free[f.tracking_only.offset], free[f.probe_type.offset], free[f.nargs.offset]]).toEqual([1, 1, PROBE_TYPE.kprobe, 1]);
    expect(fexit[f.probe_type.offset]).toBe(PROBE_TYPE.fexit);
    for (const o of native.objects) expect(o.globals.get(RODATA.trackingKprobes.name)).toEqual(Buffer.from([1]));
  });

  it('tells the kernel section what each id stands for, with return value decoders for return probes', async () => {
    const { manager } = await loaded([probe('kprobe', 'ip_rcv'), probe('kretprobe', 'ip_rcv'), probe('fexit', 'ip_rcv'),
      probe('fexit', 'void_fn', { returnType: { kind: 'void', size: 0, signed: false, name: 'void' } })]);
    const resolve = manager.symbolResolver();
    expect(resolve(1n)).toEqual({ name: 'ip_rcv', probeType: 'kprobe' });
    expect(resolve(2n)?.retval?.(0xffffffffffffffean)).toBe(-22n);
    expect(resolve(3n)?.probeType).toBe('fexit');
    expect(resolve(3n)?.retval?.(0n)).toBe(0n);
    expect(resolve(4n)?.retval).toBeUndefined();
    expect(resolve(5n)).toBeUndefined();
  });

  it('refuses a kind the kernel lacks before loading anything', async () => {
    const native = new FakeNative({ ...ALL, fexit: false });
    const manager = new ProbeManager(native as unknown as BpfNative, log);
    await expect(manager.load({ probes: [probe('fexit', 'ip_rcv')], hooks: [], mapValues: [], stackAll: false }))
      .rejects.toThrow('Cannot attach fexit:ip_rcv: this kernel has no fexit (BPF trampoline) support');
    expect(native.objects).toEqual([]);
  });
});
