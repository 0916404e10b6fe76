import type { KernelFeatures } from '@retis/bpf-native';
import type { ResolvedProbe } from '../kernel/inspector';
import { planLoads, unitPrograms } from './load-plan';

const ALL: KernelFeatures = {
  rawTracepoint: true, rawTracepointCookie: true, tpBtf: true, tracepoint: true, kprobe: true, kprobeMulti: true,
  kretprobe: true, fentry: true, fexit: true, uprobe: true, ringbuf: true,
};

const SKB = { name: 'skb', type: 'struct sk_buff *' };
const probe = (kind: ResolvedProbe['kind'], symbol: string, nargs = 1): ResolvedProbe => ({
  kind, symbol, attachName: kind === 'raw_tracepoint' ? symbol.split(':')[1] : symbol,
  params: Array.from({ length: nargs }, (_, i) => ({ ...SKB, name: `a${i}` })), stack: false,
});

const probes = [
  probe('raw_tracepoint', 'net:netif_receive_skb'),
  probe('kprobe', 'ip_rcv', 4),
  probe('raw_tracepoint', 'skb:kfree_skb', 3),
  probe('raw_tracepoint', 'net:net_dev_start_xmit', 2),
  probe('kretprobe', 'ip_rcv_core', 2),
  probe('kprobe', 'tcp_v4_rcv'),
  probe('fexit', 'ip_rcv_finish', 3),
  probe('fentry', 'ip_local_deliver'),
  probe('raw_tracepoint', 'net:net_dev_queue'),
];

describe('planLoads', () => {
  it('numbers probes from 1 in the order given', () => {
    const ids = planLoads(probes, ALL).flatMap((u) => u.probes).sort((a, b) => Number(a.id - b.id));
    expect(ids.map((p) => [p.id, p.key])).toEqual([
      [1n, 'tp:net:netif_receive_skb'], [2n, 'kprobe:ip_rcv'], [3n, 'tp:skb:kfree_skb'], [4n, 'tp:net:net_dev_start_xmit'],
      [5n, 'kretprobe:ip_rcv_core'], [6n, 'kprobe:tcp_v4_rcv'], [7n, 'fexit:ip_rcv_finish'], [8n, 'fentry:ip_local_deliver'],
      [9n, 'tp:net:net_dev_queue'],
    ]);
  });

  it('refuses more probes than config_map has ids for, with one clear error', () => {
    const many = Array.from({ length: 1024 }, (_, i) => probe('kprobe', `f${i}`));
    expect(() => planLoads(many, ALL)).toThrow('1024 probes requested: at most 1023 can be installed at once');
    expect(() => planLoads(many.slice(0, 1023), ALL)).not.toThrow();
  });

  it('shares loads between probes a program can serve together', () => {
    const units = planLoads(probes, ALL);
    const summary = units.map((u) => [u.object, u.nargs, u.ksym, u.probes.map((p) => p.probe.symbol)]);
    expect(summary).toEqual([
      // Raw tracepoints: one program for all, ids as cookies; it loads the
      // one argument they all have from its context.
      ['rawTracepoint', 1, 0n, ['net:netif_receive_skb', 'skb:kfree_skb', 'net:net_dev_start_xmit', 'net:net_dev_queue']],
      // kprobes: one program for every function.
      ['kprobe', 0, 0n, ['ip_rcv', 'tcp_v4_rcv']],
      ['kretprobe', 0, 0n, ['ip_rcv_core']],
      // Tracing programs: one per target, the id in rodata.
      ['fexit', 3, 7n, ['ip_rcv_finish']],
      ['fentry', 1, 8n, ['ip_local_deliver']],
    ]);
    expect(units.find((u) => u.object === 'fexit')?.attachTarget).toBe('ip_rcv_finish');
    expect(units.filter((u) => u.object === 'rawTracepoint').every((u) => u.cookies)).toBe(true);
    expect(units.filter((u) => u.object.startsWith('k')).every((u) => u.multi)).toBe(true);
  });

  it('loads the raw tracepoints without arguments apart, so that the others load theirs from the context', () => {
    const units = planLoads([
      probe('raw_tracepoint', 'a:three', 3), probe('raw_tracepoint', 'a:none', 0),
      probe('raw_tracepoint', 'a:two', 2), probe('raw_tracepoint', 'a:none2', 0),
    ], ALL);
    expect(units.map((u) => [u.name, u.nargs, u.probes.map((p) => p.probe.symbol)])).toEqual([
      ['retis_tp', 2, ['a:three', 'a:two']],
      ['retis_tp0', 0, ['a:none', 'a:none2']],
    ]);
  });

  it('gives each raw tracepoint its own program without cookies, and legacy kprobes without kprobe.multi', () => {
    const units = planLoads(probes, { ...ALL, rawTracepointCookie: false, kprobeMulti: false });
    const tps = units.filter((u) => u.object === 'rawTracepoint');
    // Each program loads all the arguments of its tracepoint from the context.
    expect(tps.map((u) => [u.ksym, u.probes.length, u.cookies, u.nargs])).toEqual([
      [1n, 1, false, 1], [3n, 1, false, 3], [4n, 1, false, 2], [9n, 1, false, 1],
    ]);
    expect(units.filter((u) => u.object === 'kprobe').map((u) => [u.multi, u.probes.length])).toEqual([[false, 2]]);
  });

  it('loads the program pair a kind needs', () => {
    expect(unitPrograms({ object: 'kprobe', multi: true })).toEqual(['multi']);
    expect(unitPrograms({ object: 'kprobe', multi: false })).toEqual(['main']);
    expect(unitPrograms({ object: 'kretprobe', multi: true })).toEqual(['multi', 'entryMulti']);
    expect(unitPrograms({ object: 'kretprobe', multi: false })).toEqual(['main', 'entry']);
    expect(unitPrograms({ object: 'fexit', multi: false })).toEqual(['main']);
  });

  it('refuses programs reading more than 12 arguments, but not kprobes (they read registers)', () => {
    expect(() => planLoads([probe('fentry', 'wide', 13)], ALL)).toThrow('fentry:wide has 13 arguments: at most 12 are supported');
    expect(() => planLoads([probe('raw_tracepoint', 'g:wide', 13)], ALL)).toThrow('tp:g:wide has 13 arguments: at most 12 are supported');
    expect(planLoads([probe('kprobe', 'wide', 13)], ALL)).toHaveLength(1);
  });
});
