/**
 * The `skb-tracking` event key: the packet's identity `{orig_head,
 * timestamp, skb}` (all u64). Text `#{tracking_id:x} (skb {skb:x})` with
 * tracking_id = timestamp << 64 | orig_head. The helpers live in core,
 * which needs them for the `tracking` key that `sort` adds.
 */
import {
  formatSkbTracking,
  type SectionDefinition,
  type SkbTrackingSection,
  skbTrackingFromJson,
  skbTrackingToJson,
} from '@retis/core';

export const skbTrackingSection: SectionDefinition<SkbTrackingSection> = {
  key: 'skb-tracking',
  fromJson: (value) => skbTrackingFromJson(value, 'skb-tracking'),
  toJson: skbTrackingToJson,
  format: formatSkbTracking,
};

export const SKB_TRACKING_SECTIONS: readonly SectionDefinition[] = [skbTrackingSection];
