import type { OvsSection } from '../../../collector-ovs/src/types';
import { createCoreRegistry } from '../events/registry';
import type { RetisEvent } from '../events/types';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { bundledRegistry, kernelEvent, skb, userspaceEvent } from './sort-support.testutil';
import { TrackingAssigner, TrackingError } from './tracking';

const A = skb(1000n, 0xffff888100000000n, 0xffff888200000000n);
const B = skb(5000n, 0xffff888300000000n, 0xffff888400000000n);

function assignAll(events: RetisEvent[]): RetisEvent[] {
  const tracker = new TrackingAssigner();
  for (const e of events) tracker.assign(e);
  return events;
}

const summary = (events: RetisEvent[]) =>
  events.map((e) => (e.tracking === undefined ? undefined : [e.tracking.skb.orig_head, e.tracking.idx]));

describe('skb tracking', () => {
  it('numbers the events of each packet in file order', () => {
    const events = assignAll([
      kernelEvent(1000n, 'net:netif_receive_skb', { tracking: A }),
      kernelEvent(5000n, 'net:netif_receive_skb', { tracking: B }),
      kernelEvent(1100n, 'ip_rcv', { tracking: A }),
      kernelEvent(5100n, 'ip_rcv', { tracking: B }),
      kernelEvent(1200n, 'skb:kfree_skb', { tracking: A }),
    ]);
    expect(summary(events)).toEqual([
      [A.orig_head, 0], [B.orig_head, 0], [A.orig_head, 1], [B.orig_head, 1], [A.orig_head, 2],
    ]);
  });

  it('gives every event of a series the first event\'s skb, clones included', () => {
    const clone = { ...A, skb: 0xffff888900000000n };
    const [first, second] = assignAll([
      kernelEvent(1000n, 'net:netif_receive_skb', { tracking: A }),
      kernelEvent(1300n, 'net:net_dev_start_xmit', { tracking: clone }),
    ]);
    expect(second.tracking).toEqual({ skb: A, idx: 1 });
    expect(first.tracking?.skb.skb).toBe(0xffff888200000000n);
  });

  it('leaves events without skb-tracking untracked', () => {
    const [e] = assignAll([kernelEvent(10n, 'net:netif_receive_skb')]);
    expect(e.tracking).toBeUndefined();
  });

  it('accepts an event that already carries the same tracking, and rejects a different one', () => {
    const same = kernelEvent(1000n, 'ip_rcv', { tracking: A });
    same.tracking = { skb: A, idx: 0 };
    expect(() => assignAll([same])).not.toThrow();
    const other = kernelEvent(1000n, 'ip_rcv', { tracking: A });
    other.tracking = { skb: A, idx: 4 };
    expect(() => assignAll([other])).toThrow(/already has a tracking section/);
  });
});

/**
 * A packet that misses the OVS flow cache: upcalled (tracked as A), queued
 * to ovs-vswitchd (queue_id 77), processed there (userspace events, no
 * skb), and re-injected as a new skb (B) whose actions and later events all
 * belong to the original packet.
 */
function upcallStory(): RetisEvent[] {
  const upcall: OvsSection = { event_type: 'upcall', cmd: 1, port: 3, cpu: 2 };
  return [
    kernelEvent(1000n, 'net:netif_receive_skb', { tracking: A }),
    kernelEvent(1010n, 'openvswitch:ovs_dp_upcall', { tracking: A, ovs: upcall }),
    kernelEvent(1020n, 'queue_userspace_packet', {
      probeType: 'kretprobe', tracking: A,
      ovs: { event_type: 'upcall_enqueue', ret: 0, cmd: 1, port: 3, upcall_ts: 1010n, upcall_cpu: 2, queue_id: 77 },
    }),
    kernelEvent(1030n, 'ovs_dp_upcall', {
      probeType: 'kretprobe', tracking: A, ovs: { event_type: 'upcall_return', upcall_ts: 1010n, upcall_cpu: 2, ret: 0 },
    }),
    userspaceEvent(1040n, 'dpif_recv:recv_upcall', {
      event_type: 'recv_upcall', type: 0, pkt_size: 98, key_size: 120n, queue_id: 77, batch_ts: 1040n, batch_idx: 0,
    }),
    userspaceEvent(1050n, 'dpif_netlink_operate__:op_flow_execute', {
      event_type: 'flow_operation', op_type: 'exec', queue_id: 77, batch_ts: 1040n, batch_idx: 0,
    }),
    kernelEvent(5000n, 'openvswitch:ovs_do_execute_action', {
      tracking: B, ovs: { event_type: 'action_execute', action: 'output', port: 4, recirc_id: 0, queue_id: 77 },
    }),
    kernelEvent(5100n, 'net:net_dev_start_xmit', { tracking: B }),
  ];
}

describe('OVS merge', () => {
  it('follows a packet through ovs-vswitchd and back as another skb', () => {
    const events = assignAll(upcallStory());
    // One series, numbered 0..7, all under the first skb.
    expect(summary(events)).toEqual(events.map((_, i) => [A.orig_head, i]));
    for (const e of events) expect(e.tracking?.skb).toEqual(A);
  });

  it('does the same on events read back from a file', () => {
    const registry = bundledRegistry();
    const events = upcallStory().map((e) => registry.eventFromJson(registry.eventToJson(e)));
    assignAll(events);
    expect(summary(events)).toEqual(events.map((_, i) => [A.orig_head, i]));
  });

  it('does the same when the ovs sections are not registered (plain JSON values)', () => {
    const bare = createCoreRegistry().registerAll(SKB_TRACKING_SECTIONS);
    const full = bundledRegistry();
    const events = upcallStory().map((e) => bare.eventFromJson(full.eventToJson(e)));
    expect(typeof (events[2].ovs as { upcall_ts: unknown }).upcall_ts).toBe('number');
    assignAll(events);
    expect(summary(events)).toEqual(events.map((_, i) => [A.orig_head, i]));
  });

  it('joins every enqueue of a fragmented upcall to the packet', () => {
    const upcall: OvsSection = { event_type: 'upcall', cmd: 1, port: 3, cpu: 0 };
    const enqueue = (queue_id: number): OvsSection =>
      ({ event_type: 'upcall_enqueue', ret: 0, cmd: 1, port: 3, upcall_ts: 2000n, upcall_cpu: 0, queue_id });
    const events = assignAll([
      kernelEvent(2000n, 'openvswitch:ovs_dp_upcall', { tracking: A, ovs: upcall }),
      kernelEvent(2010n, 'queue_userspace_packet', { tracking: A, ovs: enqueue(11) }),
      kernelEvent(2020n, 'queue_userspace_packet', { tracking: A, ovs: enqueue(12) }),
      userspaceEvent(2100n, 'dpif_recv:recv_upcall', {
        event_type: 'recv_upcall', type: 0, pkt_size: 1500, key_size: 100n, queue_id: 12, batch_ts: 2100n, batch_idx: 1,
      }),
    ]);
    expect(summary(events)).toEqual([[A.orig_head, 0], [A.orig_head, 1], [A.orig_head, 2], [A.orig_head, 3]]);
  });

  it('tracks actions without queue_id and flow lookups by their skb', () => {
    const events = assignAll([
      kernelEvent(5000n, 'openvswitch:ovs_do_execute_action', {
        tracking: B, ovs: { event_type: 'action_execute', action: 'output', port: 1, recirc_id: 0 },
      }),
      kernelEvent(5010n, 'ovs_flow_tbl_lookup_stats', {
        probeType: 'kretprobe', tracking: B,
        ovs: { event_type: 'flow_lookup', flow: 1n, sf_acts: 2n, ufid: [1, 2, 3, 4], n_mask_hit: 1, n_cache_hit: 0, dpflow: '', ofpflows: [] },
      }),
    ]);
    expect(summary(events)).toEqual([[B.orig_head, 0], [B.orig_head, 1]]);
  });

  it('refuses an enqueue whose upcall is unknown or already returned', () => {
    const story = upcallStory();
    const lateEnqueue = kernelEvent(1100n, 'queue_userspace_packet', {
      tracking: A, ovs: { event_type: 'upcall_enqueue', ret: 0, cmd: 1, port: 3, upcall_ts: 1010n, upcall_cpu: 2, queue_id: 78 },
    });
    // After the upcall returned (event 3), its enqueues can no longer be matched.
    const events = [...story.slice(0, 4), lateEnqueue];
    expect(() => assignAll(events)).toThrow(new TrackingError('Enqueue without an associated upcall event.'));
  });

  it('refuses a userspace event whose queue_id was never enqueued', () => {
    const e = userspaceEvent(10n, 'dpif_recv:recv_upcall', {
      event_type: 'recv_upcall', type: 0, pkt_size: 98, key_size: 1n, queue_id: 5, batch_ts: 10n, batch_idx: 0,
    });
    expect(() => assignAll([e])).toThrow('Queue Id lookup failed for OVS userspace event: 5');
  });

  it('reports tracking errors as user errors (one line, no stack)', () => {
    const e = userspaceEvent(10n, 'x:y', { event_type: 'flow_operation', op_type: 'put', queue_id: 9, batch_ts: 1n, batch_idx: 0 });
    try {
      assignAll([e]);
      throw new Error('expected an error');
    } catch (err) {
      expect((err as Error).name).toBe('RetisError');
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
