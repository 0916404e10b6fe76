import type { OvsFlowLookup } from '../../../collector-ovs/src/types';
import type { EventSeries, RetisEvent } from '../events/types';
import { SeriesBuffer } from './series-buffer';
import { detraceEvent, kernelEvent, skb } from './sort-support.testutil';

/** A tracked event: series identity (ts, orig_head) and idx given by hand. */
function tracked(ts: bigint, seriesTs: bigint, origHead: bigint, idx: number, symbol = 'ip_rcv'): RetisEvent {
  const identity = skb(seriesTs, origHead);
  const e = kernelEvent(ts, symbol, { tracking: identity });
  e.tracking = { skb: identity, idx };
  return e;
}

const untracked = (ts: bigint): RetisEvent => kernelEvent(ts, 'net:netif_receive_skb');

const times = (s: EventSeries | undefined) => s?.map((e) => e.common?.timestamp);

function drain(buffer: SeriesBuffer): (bigint | undefined)[][] {
  const out: (bigint | undefined)[][] = [];
  for (let s = buffer.pop(); s !== undefined; s = buffer.pop()) out.push(times(s) as (bigint | undefined)[]);
  return out;
}

describe('SeriesBuffer', () => {
  it('pops series by first-seen timestamp, then orig_head, whatever the arrival order', () => {
    const b = new SeriesBuffer();
    b.add(tracked(300n, 300n, 0x10n, 0));
    b.add(tracked(100n, 100n, 0x20n, 0));
    b.add(tracked(310n, 300n, 0x10n, 1));
    b.add(tracked(101n, 100n, 0x05n, 0));
    b.add(tracked(120n, 100n, 0x20n, 1));
    expect(b.size).toBe(5);
    expect(drain(b)).toEqual([[101n], [100n, 120n], [300n, 310n]]);
    expect(b.size).toBe(0);
  });

  it('keeps file order inside a series, even when timestamps go backwards', () => {
    const b = new SeriesBuffer();
    b.add(tracked(200n, 100n, 1n, 0));
    b.add(tracked(150n, 100n, 1n, 1));
    expect(drain(b)).toEqual([[200n, 150n]]);
  });

  it('interleaves untracked events as one-event series by their own timestamp', () => {
    const b = new SeriesBuffer();
    b.add(untracked(50n));
    b.add(tracked(100n, 100n, 1n, 0));
    b.add(untracked(100n));
    b.add(untracked(150n));
    b.add(tracked(200n, 200n, 2n, 0));
    b.add(tracked(210n, 100n, 1n, 1));
    // A series goes first only when strictly older than the waiting untracked event.
    expect(drain(b)).toEqual([[50n], [100n], [100n, 210n], [150n], [200n]]);
  });

  it('starts a new series for later events of a series already popped', () => {
    const b = new SeriesBuffer();
    b.add(tracked(100n, 100n, 1n, 0));
    expect(times(b.pop())).toEqual([100n]);
    b.add(tracked(110n, 100n, 1n, 1));
    const rest = b.pop();
    expect(times(rest)).toEqual([110n]);
    expect(rest?.[0].tracking?.idx).toBe(1);
  });

  it('stays ordered over many series (heap)', () => {
    const b = new SeriesBuffer();
    const ts = Array.from({ length: 500 }, (_, i) => BigInt((i * 7919) % 1000));
    for (const t of ts) b.add(tracked(t, t, 0x100n, 0));
    const popped = drain(b).map((s) => s[0] as bigint);
    expect(popped).toEqual([...ts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it('refuses an untracked event without common section when it must be compared', () => {
    const b = new SeriesBuffer();
    b.add(tracked(100n, 100n, 1n, 0));
    b.add({ kernel: { symbol: 'x', probe_type: 'kprobe' } });
    expect(() => b.pop()).toThrow('malformed event: no common section');
  });

  it('fills flow lookups from ovs-detrace events seen before the series goes out', () => {
    const lookup = (flow: bigint): OvsFlowLookup => ({
      event_type: 'flow_lookup', flow, sf_acts: 0x900n, ufid: [1, 2, 3, 4], n_mask_hit: 2, n_cache_hit: 1, dpflow: '', ofpflows: [],
    });
    const identity = skb(100n, 1n);
    const hit = kernelEvent(100n, 'ovs_flow_tbl_lookup_stats', { tracking: identity, ovs: lookup(0x800n) });
    hit.tracking = { skb: identity, idx: 0 };
    const otherFlow = kernelEvent(101n, 'ovs_flow_tbl_lookup_stats', { tracking: identity, ovs: lookup(0x801n) });
    otherFlow.tracking = { skb: identity, idx: 1 };
    const b = new SeriesBuffer();
    b.add(hit);
    b.add(otherFlow);
    // Fetched from ovs-vswitchd later than the lookup happened.
    b.add(detraceEvent(500n, {
      ufid: [1, 2, 3, 4], flow: 0x800n, sf_acts: 0x900n, dpflow: 'in_port(2),eth(),ipv4(frag=no)', ofpflows: ['table=0 priority=0 actions=NORMAL'],
    }));
    const series = b.pop() as EventSeries;
    expect(series[0].ovs).toMatchObject({ dpflow: 'in_port(2),eth(),ipv4(frag=no)', ofpflows: ['table=0 priority=0 actions=NORMAL'] });
    // A different flow pointer is another flow: left as it was.
    expect(series[1].ovs).toMatchObject({ dpflow: '', ofpflows: [] });
    expect(times(b.pop())).toEqual([500n]);
  });
});
