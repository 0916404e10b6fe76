/**
 * The skb identity `{orig_head, timestamp, skb}`. Core needs it for the
 * `tracking` section that `sort` adds; the skb-tracking collector uses the
 * same helpers for its own `skb-tracking` key, so the two never diverge.
 */
import { obj, u64 } from './fields';
import type { SkbTrackingSection } from './types';

/** `(timestamp << 64) | orig_head`: one id for a packet and its clones. */
export function trackingId(t: SkbTrackingSection): bigint {
  return (t.timestamp << 64n) | t.orig_head;
}

/** `#{id:x} (skb {skb:x})`, lowercase hex without padding. */
export function formatSkbTracking(t: SkbTrackingSection): string {
  // Same digits as trackingId(t).toString(16) without the 128-bit shift.
  const id = t.timestamp === 0n ? t.orig_head.toString(16) : t.timestamp.toString(16) + t.orig_head.toString(16).padStart(16, '0');
  return `#${id} (skb ${t.skb.toString(16)})`;
}

export function skbTrackingFromJson(value: unknown, path: string): SkbTrackingSection {
  const o = obj(value, path);
  return {
    orig_head: u64(o.orig_head, `${path}.orig_head`),
    timestamp: u64(o.timestamp, `${path}.timestamp`),
    skb: u64(o.skb, `${path}.skb`),
  };
}

export function skbTrackingToJson(t: SkbTrackingSection): string {
  return `{"orig_head":${t.orig_head},"timestamp":${t.timestamp},"skb":${t.skb}}`;
}
