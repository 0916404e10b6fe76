/**
 * Per-probe configuration derived from a probe's parameters (reference
 * §7.3): the position of each argument type the BPF side knows how to use,
 * and the tracking role of a few well-known probes.
 */
import type { ResolvedProbe } from '../kernel/inspector';

export const DROP_REASON_TYPES = [
  'enum skb_drop_reason', 'enum mac80211_drop_reason', 'enum ovs_drop_reason', 'enum qdisc_drop_reason',
];

export interface ProbeOffsets {
  skb: number;
  dropReason: number;
  netDevice: number;
  net: number;
  nftPktinfo: number;
  nftTraceinfo: number;
}

export interface TrackingRole {
  /** The skb head is freed here: tracking ends (when the head is really freed). */
  free: boolean;
  partialFree: boolean;
  /** The head may be reallocated here. */
  invHead: boolean;
  /** The skb may already be freed: never start tracking from here. */
  noTracking: boolean;
}

/** Index of the first parameter of one of `types`, or -1 (the reference's rule). */
function indexOf(probe: ResolvedProbe, types: readonly string[]): number {
  return probe.params.findIndex((p) => types.includes(p.type));
}

export function probeOffsets(probe: ResolvedProbe): ProbeOffsets {
  return {
    skb: indexOf(probe, ['struct sk_buff *']),
    dropReason: indexOf(probe, DROP_REASON_TYPES),
    netDevice: indexOf(probe, ['struct net_device *']),
    net: indexOf(probe, ['struct net *']),
    nftPktinfo: indexOf(probe, ['struct nft_pktinfo *']),
    nftTraceinfo: indexOf(probe, ['struct nft_traceinfo *']),
  };
}

/**
 * Tracking roles of well-known probes, per tracking variant. With kprobes
 * (the reference's table, §5.2), heads are followed where they are freed or
 * reallocated. Without, tracking ends at the tracepoints that free skbs; the
 * BPF side checks that the head itself is freed (not a clone's reference).
 * `net:net_dev_xmit` may see an skb already freed: never a new id there.
 */
const KPROBE_ROLES: Record<string, Partial<TrackingRole>> = {
  'kprobe:skb_free_head': { free: true },
  'kprobe:kfree_skb_partial': { free: true, partialFree: true },
  'kprobe:pskb_expand_head': { invHead: true },
  'kprobe:skb_release_head_state': { noTracking: true },
  'kprobe:kfree_skbmem': { noTracking: true },
  'tp:net:net_dev_xmit': { noTracking: true },
};

const TRACEPOINT_ROLES: Record<string, Partial<TrackingRole>> = {
  'tp:skb:kfree_skb': { free: true },
  'tp:skb:consume_skb': { free: true },
  'tp:net:net_dev_xmit': { noTracking: true },
};

/** The role of the probe `key` (`kprobe:fn`, `tp:group:event`) in the tracking variant in use. */
export function trackingRole(key: string, kprobeTracking = false): TrackingRole {
  const roles = kprobeTracking ? KPROBE_ROLES : TRACEPOINT_ROLES;
  return { free: false, partialFree: false, invHead: false, noTracking: false, ...roles[key] };
}

/** Does a collector knowing `types` have anything to read from this probe? */
export function probeUsable(probe: ResolvedProbe, types: ReadonlySet<string>): boolean {
  return probe.params.some((p) => types.has(p.type));
}
