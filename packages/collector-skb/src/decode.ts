/**
 * Raw decoding of skb (owner 6). Data types: 1 packet, 2 vlan, 3 meta,
 * 4 data_ref, 5 gso (layouts of `skb_uapi.h`). The packet becomes the
 * `packet` key; the others fill the `skb` key, which only exists when at
 * least one of them was sent.
 */
import {
  base64Of,
  expectSize,
  LITTLE_ENDIAN,
  type RawSection,
  RawSectionError,
  type RetisEvent,
  type SectionFactory,
  type StructLayout,
  unknownDataType,
  viewOf,
} from '@retis/core';
import type { SkbSection } from './sections';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const LE = LITTLE_ENDIAN;
const checkSize = expectSize;
const dataView = viewOf;
const base64 = base64Of;

export const SKB_OWNER = 6;

export const SKB_DT_PACKET = 1;
export const SKB_DT_VLAN = 2;
export const SKB_DT_META = 3;
export const SKB_DT_DATA_REF = 4;
export const SKB_DT_GSO = 5;

/** Bytes of packet a section can hold. */
export const PACKET_CAPTURE_MAX = 255;

export const SKB_PACKET_EVENT_LAYOUT = {
  name: 'skb_packet_event',
  size: 264,
  fields: {
    len: { offset: 0, size: 4 },
    capture_len: { offset: 4, size: 4 },
    packet: { offset: 8, size: PACKET_CAPTURE_MAX },
    pad: { offset: 263, size: 1 },
  },
} as const satisfies StructLayout;

export const SKB_VLAN_EVENT_LAYOUT = {
  name: 'skb_vlan_event',
  size: 6,
  fields: {
    proto: { offset: 0, size: 2 },
    pcp: { offset: 2, size: 1 },
    dei: { offset: 3, size: 1 },
    vid: { offset: 4, size: 2 },
  },
} as const satisfies StructLayout;

export const SKB_META_EVENT_LAYOUT = {
  name: 'skb_meta_event',
  size: 24,
  fields: {
    len: { offset: 0, size: 4 },
    data_len: { offset: 4, size: 4 },
    hash: { offset: 8, size: 4 },
    csum: { offset: 12, size: 4 },
    priority: { offset: 16, size: 4 },
    ip_summed: { offset: 20, size: 1 },
    csum_level: { offset: 21, size: 1 },
    pad: { offset: 22, size: 2 },
  },
} as const satisfies StructLayout;

export const SKB_DATA_REF_EVENT_LAYOUT = {
  name: 'skb_data_ref_event',
  size: 5,
  fields: {
    nohdr: { offset: 0, size: 1 },
    cloned: { offset: 1, size: 1 },
    fclone: { offset: 2, size: 1 },
    users: { offset: 3, size: 1 },
    dataref: { offset: 4, size: 1 },
  },
} as const satisfies StructLayout;

export const SKB_GSO_EVENT_LAYOUT = {
  name: 'skb_gso_event',
  size: 16,
  fields: {
    gso_size: { offset: 0, size: 4 },
    gso_segs: { offset: 4, size: 4 },
    gso_type: { offset: 8, size: 4 },
    flags: { offset: 12, size: 1 },
    nr_frags: { offset: 13, size: 1 },
    pad: { offset: 14, size: 2 },
  },
} as const satisfies StructLayout;

const P = SKB_PACKET_EVENT_LAYOUT.fields;
const V = SKB_VLAN_EVENT_LAYOUT.fields;
const M = SKB_META_EVENT_LAYOUT.fields;
const D = SKB_DATA_REF_EVENT_LAYOUT.fields;
const G = SKB_GSO_EVENT_LAYOUT.fields;

export class SkbFactory implements SectionFactory {
  constructor(readonly owner: number = SKB_OWNER) {}

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    const v = dataView(buf, view);
    let skb: SkbSection | undefined;
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i];
      const o = s.offset;
      switch (s.dataType) {
        case SKB_DT_PACKET: {
          // Trimmed after the last captured byte (older writers sent the
          // whole room): anything from the header to the full struct.
          if (s.size < P.packet.offset || s.size > SKB_PACKET_EVENT_LAYOUT.size) {
            throw new RawSectionError(`skb: packet section of ${s.size} bytes, expected ${P.packet.offset} to ${SKB_PACKET_EVENT_LAYOUT.size}`);
          }
          const captureLen = v.getUint32(o + P.capture_len.offset, LE);
          const room = Math.min(PACKET_CAPTURE_MAX, s.size - P.packet.offset);
          if (captureLen > room) {
            throw new RawSectionError(`skb: packet capture_len ${captureLen} exceeds the ${room} bytes sent`);
          }
          const data = o + P.packet.offset;
          event.packet = {
            len: v.getUint32(o + P.len.offset, LE),
            capture_len: captureLen,
            data: base64(buf, data, data + captureLen),
          };
          break;
        }
        case SKB_DT_VLAN:
          checkSize(s, SKB_VLAN_EVENT_LAYOUT, 'skb');
          (skb ??= {}).vlan_accel = {
            proto: v.getUint16(o + V.proto.offset, LE),
            pcp: buf[o + V.pcp.offset],
            dei: buf[o + V.dei.offset] !== 0,
            vid: v.getUint16(o + V.vid.offset, LE),
          };
          break;
        case SKB_DT_META:
          checkSize(s, SKB_META_EVENT_LAYOUT, 'skb');
          (skb ??= {}).meta = {
            len: v.getUint32(o + M.len.offset, LE),
            data_len: v.getUint32(o + M.data_len.offset, LE),
            hash: v.getUint32(o + M.hash.offset, LE),
            ip_summed: buf[o + M.ip_summed.offset],
            csum: v.getUint32(o + M.csum.offset, LE),
            csum_level: buf[o + M.csum_level.offset],
            priority: v.getUint32(o + M.priority.offset, LE),
          };
          break;
        case SKB_DT_DATA_REF:
          checkSize(s, SKB_DATA_REF_EVENT_LAYOUT, 'skb');
          (skb ??= {}).data_ref = {
            nohdr: buf[o + D.nohdr.offset] !== 0,
            cloned: buf[o + D.cloned.offset] !== 0,
            fclone: buf[o + D.fclone.offset],
            users: buf[o + D.users.offset],
            dataref: buf[o + D.dataref.offset],
          };
          break;
        case SKB_DT_GSO:
          checkSize(s, SKB_GSO_EVENT_LAYOUT, 'skb');
          (skb ??= {}).gso = {
            flags: buf[o + G.flags.offset],
            frags: buf[o + G.nr_frags.offset],
            size: v.getUint32(o + G.gso_size.offset, LE),
            segs: v.getUint32(o + G.gso_segs.offset, LE),
            type: v.getUint32(o + G.gso_type.offset, LE),
          };
          break;
        default:
          unknownDataType(s, 'skb');
      }
    }
    if (skb !== undefined) event.skb = skb;
  }
}
