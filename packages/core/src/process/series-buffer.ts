/**
 * The series buffer of `sort` (reference §4.3): events, once tracked, wait
 * here until their series is the oldest one.
 *
 * - Tracked events are grouped by series, the series ordered by their
 *   identity (tracking.skb.timestamp, then orig_head). Both fit one bigint,
 *   `timestamp << 64 | orig_head` (the tracking id), so a binary heap of
 *   ids gives the oldest series.
 * - Untracked events (the startup event, events without skb-tracking) wait
 *   in a FIFO and come out as one-event series.
 * - The oldest is the first series if its timestamp is below the common
 *   timestamp of the first untracked event, else that event.
 * - Within a series, events keep the order they were added in (file order).
 *
 * The caller bounds memory by popping while `size` is at its limit; a series
 * popped before all its events were read is split, its later events forming
 * a new series with the same identity.
 *
 * `ovs-detrace` events (flow information fetched from ovs-vswitchd, often
 * written after the flow_lookup events they describe) are remembered, and
 * fill `dpflow` and `ofpflows` of matching flow_lookup events when their
 * series is popped.
 */
import { trackingId } from '../events/skb-tracking';
import type { EventSeries, RetisEvent } from '../events/types';
import { TrackingError } from './tracking';

/** Flow information, as ovs-detrace carries it and flow_lookup wants it. */
interface FlowInfo {
  dpflow: unknown;
  ofpflows: unknown;
}

export class SeriesBuffer {
  private readonly series = new Map<bigint, RetisEvent[]>();
  private readonly heap = new IdHeap();
  private untracked: RetisEvent[] = [];
  private untrackedHead = 0;
  private count = 0;
  private readonly flows = new Map<string, FlowInfo>();

  /** Events buffered. */
  get size(): number {
    return this.count;
  }

  add(event: RetisEvent): void {
    const detrace: unknown = event['ovs-detrace'];
    if (isRecord(detrace)) {
      const key = flowKey(detrace);
      if (key !== undefined) this.flows.set(key, { dpflow: detrace.dpflow, ofpflows: detrace.ofpflows });
    }
    this.count++;
    const tracking = event.tracking;
    if (tracking === undefined) {
      this.untracked.push(event);
      return;
    }
    const id = trackingId(tracking.skb);
    const events = this.series.get(id);
    if (events !== undefined) {
      events.push(event);
      return;
    }
    this.series.set(id, [event]);
    this.heap.push(id);
  }

  /** The oldest series, or undefined when empty. Throws TrackingError on an event without common section. */
  pop(): EventSeries | undefined {
    if (this.count === 0) return undefined;
    const oldest = this.heap.peek();
    const waiting = this.untrackedHead < this.untracked.length ? this.untracked[this.untrackedHead] : undefined;
    if (oldest !== undefined && (waiting === undefined || oldest >> 64n < untrackedTimestamp(waiting))) {
      this.heap.pop();
      const events = this.series.get(oldest) as RetisEvent[];
      this.series.delete(oldest);
      this.count -= events.length;
      for (const e of events) this.enrichFlowLookup(e);
      return events;
    }
    const event = waiting as RetisEvent;
    this.untracked[this.untrackedHead++] = undefined as unknown as RetisEvent;
    // Compact now and then so the FIFO does not grow with the file.
    if (this.untrackedHead >= 1024 && this.untrackedHead * 2 >= this.untracked.length) {
      this.untracked = this.untracked.slice(this.untrackedHead);
      this.untrackedHead = 0;
    }
    this.count--;
    this.enrichFlowLookup(event);
    return [event];
  }

  private enrichFlowLookup(event: RetisEvent): void {
    const ovs: unknown = event.ovs;
    if (!isRecord(ovs) || ovs.event_type !== 'flow_lookup') return;
    const key = flowKey(ovs);
    const info = key !== undefined ? this.flows.get(key) : undefined;
    if (info === undefined) return;
    ovs.dpflow = info.dpflow;
    ovs.ofpflows = info.ofpflows;
  }
}

function untrackedTimestamp(event: RetisEvent): bigint {
  const ts = event.common?.timestamp;
  if (ts === undefined) throw new TrackingError('malformed event: no common section');
  return ts;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A flow's identity: (ufid, flow, sf_acts), the same in ovs-detrace and flow_lookup. */
function flowKey(s: Record<string, unknown>): string | undefined {
  if (!Array.isArray(s.ufid)) return undefined;
  return `${s.ufid.map(String).join(',')}/${String(s.flow)}/${String(s.sf_acts)}`;
}

/** A binary min-heap of bigints. */
class IdHeap {
  private readonly items: bigint[] = [];

  peek(): bigint | undefined {
    return this.items[0];
  }

  push(v: bigint): void {
    const a = this.items;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= v) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = v;
  }

  pop(): bigint | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as bigint;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const child = r < a.length && a[r] < a[l] ? r : l;
        if (a[child] >= last) break;
        a[i] = a[child];
        i = child;
      }
      a[i] = last;
    }
    return top;
  }
}
