import { FactoryTable, layoutMismatches, parseRawEvent, RawEventBuilder, readObjectBtf, type RetisEvent } from '@retis/core';
import { join } from 'path';
import {
  SKB_DATA_REF_EVENT_LAYOUT,
  SKB_DT_DATA_REF,
  SKB_DT_GSO,
  SKB_DT_META,
  SKB_DT_PACKET,
  SKB_DT_VLAN,
  SKB_GSO_EVENT_LAYOUT,
  SKB_META_EVENT_LAYOUT,
  SKB_OWNER,
  SKB_PACKET_EVENT_LAYOUT,
  SKB_VLAN_EVENT_LAYOUT,
  SkbFactory,
} from './decode';

const table = new FactoryTable([new SkbFactory()]);
const frame = Buffer.from('fa5cbd8ecc01a6c2117159450800450000540000400040011a2bc0a87d0ac0a87d0b', 'hex');

describe('SkbFactory', () => {
  it('decodes every data type into packet and skb', () => {
    const buf = new RawEventBuilder()
      .struct(SKB_OWNER, SKB_DT_PACKET, SKB_PACKET_EVENT_LAYOUT, { len: 98, capture_len: frame.length, packet: frame })
      .struct(SKB_OWNER, SKB_DT_VLAN, SKB_VLAN_EVENT_LAYOUT, { proto: 0x8100, pcp: 3, dei: 1, vid: 123 })
      .struct(SKB_OWNER, SKB_DT_META, SKB_META_EVENT_LAYOUT, {
        len: 98, data_len: 10, hash: 0x7e2c5976, csum: 2770033380, priority: 7, ip_summed: 2, csum_level: 1,
      })
      .struct(SKB_OWNER, SKB_DT_DATA_REF, SKB_DATA_REF_EVENT_LAYOUT, { nohdr: 0, cloned: 1, fclone: 2, users: 1, dataref: 2 })
      .struct(SKB_OWNER, SKB_DT_GSO, SKB_GSO_EVENT_LAYOUT, { gso_size: 1448, gso_segs: 3, gso_type: 0x11, flags: 4, nr_frags: 2 })
      .build();
    const e = parseRawEvent(buf, 0, buf.length, table);
    expect(e.packet).toEqual({ len: 98, capture_len: frame.length, data: frame.toString('base64') });
    expect(e.skb).toEqual({
      vlan_accel: { proto: 0x8100, pcp: 3, dei: true, vid: 123 },
      meta: { len: 98, data_len: 10, hash: 0x7e2c5976, ip_summed: 2, csum: 2770033380, csum_level: 1, priority: 7 },
      data_ref: { nohdr: false, cloned: true, fclone: 2, users: 1, dataref: 2 },
      gso: { flags: 4, frags: 2, size: 1448, segs: 3, type: 0x11 },
    });
  });

  it('has no skb section when only the packet was sent', () => {
    const buf = new RawEventBuilder()
      .struct(SKB_OWNER, SKB_DT_PACKET, SKB_PACKET_EVENT_LAYOUT, { len: 1500, capture_len: 255, packet: Buffer.alloc(255, 0xab) })
      .build();
    const e = parseRawEvent(buf, 0, buf.length, table);
    expect(e.skb).toBeUndefined();
    expect(Buffer.from(e.packet!.data, 'base64')).toEqual(Buffer.alloc(255, 0xab));
    expect(e.packet!.len).toBe(1500);
  });

  it('decodes a packet section trimmed after its last captured byte', () => {
    const frame = Buffer.from('00112233445566778899aabb08004500', 'hex');
    const payload = Buffer.concat([Buffer.alloc(8), frame]);
    payload.writeUInt32LE(98, 0);
    payload.writeUInt32LE(frame.length, 4);
    const raw = new RawEventBuilder().section(SKB_OWNER, SKB_DT_PACKET, payload).build();
    const event: RetisEvent = {};
    parseRawEvent(raw, 0, raw.length, table, event);
    expect(event.packet).toEqual({ len: 98, capture_len: 16, data: frame.toString('base64') });
  });

  it('rejects a capture longer than the buffer, wrong sizes and unknown data types', () => {
    const big = new RawEventBuilder().struct(SKB_OWNER, SKB_DT_PACKET, SKB_PACKET_EVENT_LAYOUT, { len: 300, capture_len: 256 }).build();
    expect(() => parseRawEvent(big, 0, big.length, table)).toThrow('skb: packet capture_len 256 exceeds the 255 bytes sent');
    // Trimmed sections: the capture must fit in what was sent, the header must be whole.
    const header = Buffer.alloc(8 + 10);
    header.writeUInt32LE(60, 0);
    header.writeUInt32LE(11, 4);
    const short = new RawEventBuilder().section(SKB_OWNER, SKB_DT_PACKET, header).build();
    expect(() => parseRawEvent(short, 0, short.length, table)).toThrow('skb: packet capture_len 11 exceeds the 10 bytes sent');
    const cut = new RawEventBuilder().section(SKB_OWNER, SKB_DT_PACKET, Buffer.alloc(7)).build();
    expect(() => parseRawEvent(cut, 0, cut.length, table)).toThrow('skb: packet section of 7 bytes, expected 8 to 264');
    const meta = new RawEventBuilder().section(SKB_OWNER, SKB_DT_META, Buffer.alloc(23)).build();
    expect(() => parseRawEvent(meta, 0, meta.length, table)).toThrow('skb: section data skb_meta_event is not the expected size (23 != 24)');
    const dt = new RawEventBuilder().section(SKB_OWNER, 9, Buffer.alloc(4)).build();
    expect(() => parseRawEvent(dt, 0, dt.length, table)).toThrow('skb: unknown data type 9');
  });

  it.each([SKB_PACKET_EVENT_LAYOUT, SKB_VLAN_EVENT_LAYOUT, SKB_META_EVENT_LAYOUT, SKB_DATA_REF_EVENT_LAYOUT, SKB_GSO_EVENT_LAYOUT])(
    '$name matches the layout of the built hook object',
    (layout) => {
      const btf = readObjectBtf(join(__dirname, '../dist/skb_hook.bpf.o'));
      expect(layoutMismatches(btf, layout)).toEqual([]);
    },
  );
});
