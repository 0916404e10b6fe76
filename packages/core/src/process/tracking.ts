/**
 * Tracking assignment for `sort` (reference §4.3): every event that belongs
 * to a packet gets a `tracking` section `{skb, idx}` naming its series (the
 * packet's first skb-tracking identity) and its rank in that series.
 *
 * Generic case: the key is the skb-tracking id. The first event of an id
 * starts a series (idx 0), each later one takes the next idx.
 *
 * OpenVSwitch upcalls cross to userspace and may come back as a new skb,
 * so the `ovs` section merges series:
 * - `upcall`: generic case, then remembered under (common.timestamp, cpu)
 *   so the enqueue events of its (possibly fragmented) packet find it;
 * - `upcall_return`: generic case, then that upcall is forgotten;
 * - `upcall_enqueue`: joins its upcall's series and maps its queue_id to it;
 * - `recv_upcall`, `flow_operation`: join the series of their queue_id;
 * - `action_execute` with a queue_id: the same, and its skb-tracking id is
 *   mapped to that series too, so the re-injected skb's later events join
 *   the original packet;
 * - `action_execute` without queue_id, `flow_lookup`: generic case.
 *
 * Merged events share one mutable record: each gets a snapshot of it, so
 * `tracking.skb` is always the series' first skb (the reference does the
 * same, and prints that skb for every event of the series).
 */
import { RetisError, RetisErrorCode } from '../errors';
import { skbTrackingFromJson, trackingId } from '../events/skb-tracking';
import type { RetisEvent, SkbTrackingSection, TrackingSection } from '../events/types';

/** One series' identity and the idx of its latest event, shared by merged events. */
interface SeriesTracking {
  readonly skb: SkbTrackingSection;
  idx: number;
}

/** A problem in the events that tracking cannot get past. */
export class TrackingError extends RetisError {
  constructor(message: string) {
    super(message, RetisErrorCode.EventsFile);
  }
}

export class TrackingAssigner {
  /** By skb-tracking id (timestamp << 64 | orig_head). */
  private readonly bySkb = new Map<bigint, SeriesTracking>();
  /** Upcalls in progress, by `${timestamp}/${cpu}`. */
  private readonly byUpcall = new Map<string, SeriesTracking>();
  /** Packets sent to ovs-vswitchd, by queue_id (a hash of the packet). */
  private readonly byQueue = new Map<number, SeriesTracking>();

  /** Add the `tracking` section to `event` when it belongs to a series. Throws TrackingError. */
  assign(event: RetisEvent): void {
    // Typed by the ovs collector when it is installed, but read as plain JSON here.
    const ovs: unknown = event.ovs;
    const type = isRecord(ovs) ? ovs.event_type : undefined;
    switch (type) {
      case 'upcall': {
        const series = this.processSkb(event);
        if (series === undefined) return;
        const ts = event.common?.timestamp;
        if (ts === undefined) throw new TrackingError('malformed event: no common section');
        this.byUpcall.set(upcallKey(ts, field(ovs, 'cpu')), series);
        return;
      }
      case 'upcall_return':
        this.processSkb(event);
        this.byUpcall.delete(upcallKey(field(ovs, 'upcall_ts'), field(ovs, 'upcall_cpu')));
        return;
      case 'upcall_enqueue': {
        const series = this.byUpcall.get(upcallKey(field(ovs, 'upcall_ts'), field(ovs, 'upcall_cpu')));
        if (series === undefined) throw new TrackingError('Enqueue without an associated upcall event.');
        series.idx++;
        this.byQueue.set(queueId(ovs), series);
        attach(event, series);
        return;
      }
      case 'recv_upcall':
      case 'flow_operation': {
        const series = this.lookupQueue(queueId(ovs));
        series.idx++;
        attach(event, series);
        return;
      }
      case 'action_execute': {
        const queue = isRecord(ovs) ? ovs.queue_id : undefined;
        if (queue === undefined || queue === null) {
          this.processSkb(event);
          return;
        }
        const series = this.lookupQueue(queueId(ovs));
        series.idx++;
        // The skb executing the actions is a new one made from the upcall's
        // data: what happens to it next is the original packet's story.
        const skb = skbTrackingOf(event);
        if (skb !== undefined) this.bySkb.set(trackingId(skb), series);
        attach(event, series);
        return;
      }
      default:
        // Not an ovs event, or flow_lookup: skb tracking alone.
        this.processSkb(event);
    }
  }

  /** Generic case; returns the series when the event has skb-tracking. */
  private processSkb(event: RetisEvent): SeriesTracking | undefined {
    const skb = skbTrackingOf(event);
    if (skb === undefined) return undefined;
    const id = trackingId(skb);
    let series = this.bySkb.get(id);
    if (series === undefined) {
      series = { skb: { orig_head: skb.orig_head, timestamp: skb.timestamp, skb: skb.skb }, idx: 0 };
      this.bySkb.set(id, series);
    } else {
      series.idx++;
    }
    attach(event, series);
    return series;
  }

  private lookupQueue(id: number): SeriesTracking {
    const series = this.byQueue.get(id);
    if (series === undefined) throw new TrackingError(`Queue Id lookup failed for OVS userspace event: ${id}`);
    return series;
  }
}

/**
 * The event's skb-tracking section with bigint fields. Without the
 * skb-tracking collector registered, the section is plain parsed JSON.
 */
function skbTrackingOf(event: RetisEvent): SkbTrackingSection | undefined {
  const skb = event['skb-tracking'];
  if (skb === undefined || skb === null) return undefined;
  if (typeof skb.timestamp === 'bigint' && typeof skb.orig_head === 'bigint' && typeof skb.skb === 'bigint') return skb;
  try {
    return skbTrackingFromJson(skb, 'skb-tracking');
  } catch (e) {
    throw new TrackingError(`Invalid skb-tracking section: ${(e as Error).message}`);
  }
}

/** Put a snapshot of the series' tracking in the event; an existing different one is an error. */
function attach(event: RetisEvent, series: SeriesTracking): void {
  const snapshot: TrackingSection = { skb: series.skb, idx: series.idx };
  const existing = event.tracking;
  if (existing === undefined) {
    event.tracking = snapshot;
    return;
  }
  if (!sameTracking(existing, snapshot)) {
    throw new TrackingError(
      `Event already has a tracking section (${describe(existing)}) that does not match the computed one (${describe(snapshot)})`,
    );
  }
}

function sameTracking(a: TrackingSection, b: TrackingSection): boolean {
  return a.idx === b.idx && a.skb.orig_head === b.skb.orig_head && a.skb.timestamp === b.skb.timestamp && a.skb.skb === b.skb.skb;
}

function describe(t: TrackingSection): string {
  return `idx ${t.idx}, skb ${t.skb.skb.toString(16)}, orig_head ${t.skb.orig_head.toString(16)}, timestamp ${t.skb.timestamp}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * A field of the ovs section. Read structurally: core does not depend on the
 * ovs collector, and without it the section is plain parsed JSON (numbers or
 * bigints), which the keys below normalise.
 */
function field(ovs: unknown, name: string): unknown {
  return isRecord(ovs) ? ovs[name] : undefined;
}

function upcallKey(ts: unknown, cpu: unknown): string {
  return `${String(ts)}/${String(cpu)}`;
}

function queueId(ovs: unknown): number {
  const id = field(ovs, 'queue_id');
  if (typeof id === 'number') return id;
  if (typeof id === 'bigint') return Number(id);
  throw new TrackingError(`Invalid ovs event: queue_id is ${id === undefined ? 'missing' : 'not a number'}`);
}
