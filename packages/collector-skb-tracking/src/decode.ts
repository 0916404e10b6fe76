/**
 * Raw decoding of skb-tracking (owner 4): data type 1
 * `struct skb_tracking_event {u64 orig_head; u64 timestamp; u64 skb}`.
 */
import {
  onlySection,
  LITTLE_ENDIAN,
  type RawSection,
  type RetisEvent,
  type SectionFactory,
  type StructLayout,
  viewOf,
} from '@retis/core';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const LE = LITTLE_ENDIAN;
const single = onlySection;
const dataView = viewOf;

export const SKB_TRACKING_OWNER = 4;
const DT_TRACKING = 1;

export const SKB_TRACKING_EVENT_LAYOUT = {
  name: 'skb_tracking_event',
  size: 24,
  fields: {
    orig_head: { offset: 0, size: 8 },
    timestamp: { offset: 8, size: 8 },
    skb: { offset: 16, size: 8 },
  },
} as const satisfies StructLayout;

export class SkbTrackingFactory implements SectionFactory {
  constructor(readonly owner: number = SKB_TRACKING_OWNER) {}

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    const s = single(sections, 'skb-tracking', DT_TRACKING, SKB_TRACKING_EVENT_LAYOUT);
    const v = dataView(buf, view);
    const f = SKB_TRACKING_EVENT_LAYOUT.fields;
    event['skb-tracking'] = {
      orig_head: v.getBigUint64(s.offset + f.orig_head.offset, LE),
      timestamp: v.getBigUint64(s.offset + f.timestamp.offset, LE),
      skb: v.getBigUint64(s.offset + f.skb.offset, LE),
    };
  }
}
