import type { KernelFeatures } from '@retis/bpf-native';
import { TRACKING_INFO_LAYOUT } from '../bpf/abi';
import { KernelInspector } from '../kernel/inspector';
import { Tracefs } from '../kernel/tracefs';
import { FakeBtf } from '../kernel/test-support/fake-btf';
import type { Logger } from '../log';
import { trackingRole } from './probe-config';
import { TrackingGc, trackingSetup } from './tracking';

function recordingLog() {
  const lines: string[] = [];
  const log = {
    warn: (m: string) => lines.push(`warn ${m}`), debug: (m: string) => lines.push(`debug ${m}`),
    info: () => {}, error: () => {}, enabled: () => true,
  } as unknown as Logger;
  return { log, lines };
}

/** A tracking_map as the addon's MapOps sees it: 8-byte keys, tracking_info values. */
function fakeMap(entries: [bigint, bigint][]) {
  const map = new Map<string, Buffer>();
  const key = (k: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(k); return b; };
  for (const [k, lastSeen] of entries) {
    const v = Buffer.alloc(TRACKING_INFO_LAYOUT.size);
    v.writeBigUInt64LE(lastSeen, TRACKING_INFO_LAYOUT.fields.last_seen.offset);
    map.set(key(k).toString('hex'), v);
  }
  return {
    map,
    ops: {
      keys: () => [...map.keys()].map((h) => Buffer.from(h, 'hex')),
      lookup: (_fd: number, k: Buffer) => map.get(k.toString('hex')) ?? null,
      delete: (_fd: number, k: Buffer) => map.delete(k.toString('hex')),
      update: (_fd: number, k: Buffer, v: Buffer) => void map.set(k.toString('hex'), Buffer.from(v)),
    },
  };
}

describe('TrackingGc', () => {
  const S = 1_000_000_000n;

  it('removes entries not seen for more than 60 s, with a warning each', () => {
    const { map, ops } = fakeMap([[0xffff888100835100n, 10n * S], [0xffff888100835200n, 50n * S], [0xffff888100835300n, 41n * S]]);
    const { log, lines } = recordingLog();
    const gc = new TrackingGc({ map: ops, fd: 3, log, now: () => 101n * S });
    expect(gc.sweep()).toEqual([0xffff888100835100n]);
    expect(map.size).toBe(2);
    expect(lines).toEqual(['warn Removed old entry from skb_tracking tracking map: 0xffff888100835100']);
    // Exactly 60 s old stays.
    expect(new TrackingGc({ map: ops, fd: 3, log, now: () => 101n * S }).sweep()).toEqual([]);
  });

  it('counts what it removes in the GC slot of tracking_live_map, and only there', () => {
    const { ops } = fakeMap([[0xa00n, 0n], [0xb00n, 0n], [0xc00n, 100n * S]]);
    const live = fakeMap([]);
    const slot = (i: number) => live.map.get(Buffer.from([i, 0, 0, 0]).toString('hex'))?.readBigUInt64LE(0);
    live.ops.update(0, Buffer.from([1, 0, 0, 0]), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]));
    const { log } = recordingLog();
    const gc = new TrackingGc({ map: { ...ops, lookup: (fd, k) => (fd === 9 ? live.ops.lookup(fd, k) : ops.lookup(fd, k)), update: live.ops.update }, fd: 3, liveFd: 9, log, now: () => 101n * S });
    expect(gc.sweep()).toHaveLength(2);
    expect(slot(1)).toBe(7n);
    // The probes' slot is theirs: never written from userspace.
    expect(slot(0)).toBeUndefined();
    // Nothing removed, nothing written.
    expect(gc.sweep()).toHaveLength(0);
    expect(slot(1)).toBe(7n);
  });

  it('runs every interval until stopped', async () => {
    const { map, ops } = fakeMap([[1n, 0n]]);
    const { log } = recordingLog();
    let now = 0n;
    const gc = new TrackingGc({ map: ops, fd: 3, log, intervalMs: 10, now: () => now });
    gc.start();
    await new Promise((r) => setTimeout(r, 40));
    expect(map.size).toBe(1);
    now = 61n * S;
    await new Promise((r) => setTimeout(r, 40));
    expect(map.size).toBe(0);
    gc.stop();
    // Stopped: nothing runs any more.
    const after = fakeMap([[2n, 0n]]);
    (gc as unknown as { opts: { map: unknown } }).opts.map = after.ops;
    await new Promise((r) => setTimeout(r, 40));
    expect(after.map.size).toBe(1);
  });
});

describe('tracking roles', () => {
  it('follow the reference with kprobes', () => {
    expect(trackingRole('kprobe:skb_free_head', true)).toMatchObject({ free: true, partialFree: false });
    expect(trackingRole('kprobe:kfree_skb_partial', true)).toMatchObject({ free: true, partialFree: true });
    expect(trackingRole('kprobe:pskb_expand_head', true)).toMatchObject({ invHead: true, free: false });
    // Tracepoints do not end tracking then: skb_free_head sees every head free.
    expect(trackingRole('tp:skb:kfree_skb', true).free).toBe(false);
    expect(trackingRole('tp:net:net_dev_xmit', true).noTracking).toBe(true);
  });

  it('end at the freeing tracepoints without', () => {
    expect(trackingRole('tp:skb:kfree_skb', false).free).toBe(true);
    expect(trackingRole('tp:skb:consume_skb', false).free).toBe(true);
    expect(trackingRole('kprobe:skb_free_head', false).free).toBe(false);
    expect(trackingRole('tp:net:net_dev_xmit', false).noTracking).toBe(true);
  });
});

describe('trackingSetup', () => {
  const SKB = { name: 'skb', type: 'struct sk_buff *' };
  const btf = new FakeBtf({
    functions: {
      skb_free_head: { params: [SKB] },
      kfree_skb_partial: { params: [SKB, { name: 'head_stolen', type: 'bool' }] },
      pskb_expand_head: { params: [SKB, { name: 'nhead', type: 'int' }], returns: 'int' },
    },
    tracepoints: { kfree_skb: { params: [SKB] }, consume_skb: { params: [SKB] } },
  });
  const features = (kprobe: boolean) => ({ kprobe } as KernelFeatures);
  const inspector = (kprobe: boolean) => {
    const { log, lines } = recordingLog();
    // No tracefs lists: names resolve through BTF only.
    const kernel = new KernelInspector({ loadBtf: () => btf, features: () => features(kprobe) }, log, new Tracefs([]));
    return { kernel, log, lines };
  };

  it('uses the three tracking kprobes when kprobes work', () => {
    const { kernel, log } = inspector(true);
    const setup = trackingSetup(kernel, log);
    expect(setup.kprobes).toBe(true);
    expect([...setup.probes.keys()]).toEqual(['kprobe:skb_free_head', 'kprobe:kfree_skb_partial', 'kprobe:pskb_expand_head']);
    expect([...setup.probes.values()].every((p) => p.trackingOnly)).toBe(true);
  });

  it('falls back to the freeing tracepoints without kprobes', () => {
    const { kernel, log, lines } = inspector(false);
    const setup = trackingSetup(kernel, log);
    expect(setup.kprobes).toBe(false);
    expect([...setup.probes.keys()]).toEqual(['tp:skb:kfree_skb', 'tp:skb:consume_skb']);
    expect(lines).toContain('debug skb tracking on tracepoints: this kernel has no kprobe support');
  });

  it('falls back when a tracking function cannot be probed', () => {
    const { kernel, log, lines } = inspector(true);
    const real = kernel.resolve.bind(kernel);
    jest.spyOn(kernel, 'resolve').mockImplementation((spec) => {
      if (spec.target === 'pskb_expand_head') throw new Error("Could not find a traceable function matching 'pskb_expand_head'");
      return real(spec);
    });
    const setup = trackingSetup(kernel, log);
    expect(setup.kprobes).toBe(false);
    expect(lines).toContain("debug skb tracking falls back to tracepoints: Could not find a traceable function matching 'pskb_expand_head'");
  });
});
