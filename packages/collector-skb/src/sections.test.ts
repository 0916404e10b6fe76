import { createCoreRegistry, type DisplayFormat } from '@retis/core';
import { formatPacket } from './packet';
import { formatSkb, packetSection, type SkbSection, skbSection } from './sections';

const fmt: DisplayFormat = { multiLine: true, utc: false, linkLayer: false };
const ll: DisplayFormat = { ...fmt, linkLayer: true };
const reg = createCoreRegistry().register(packetSection).register(skbSection);

const meta = { len: 98, data_len: 0, hash: 0, ip_summed: 0, csum: 0, csum_level: 0, priority: 0 };
const dataRef = { nohdr: false, cloned: false, fclone: 0, users: 1, dataref: 1 };

describe('skb section text', () => {
  it.each([
    [0, 'csum none'],
    [1, 'csum unnecessary (level 2)'],
    [2, `csum complete (0x${(0x12345678).toString(16)})`],
    [3, `csum partial (start ${0x5678} off ${0x1234})`],
    [7, 'csum unknown (7)'],
  ])('prints ip_summed %d as "%s"', (ip_summed, csum) => {
    const s: SkbSection = { meta: { ...meta, ip_summed, csum: 0x12345678, csum_level: 2 } };
    expect(formatSkb(s, fmt)).toBe(`skb [${csum} len 98 priority 0]`);
  });

  it('adds hash and data_len when non-zero, and the data_ref flags', () => {
    const s: SkbSection = {
      meta: { ...meta, hash: 0x7e2c5976, data_len: 40, priority: 6 },
      data_ref: { nohdr: true, cloned: true, fclone: 2, users: 3, dataref: 4 },
    };
    expect(formatSkb(s, fmt)).toBe('skb [csum none hash 0x7e2c5976 len 98 data_len 40 priority 6 nohdr cloned fclone 2 users 3 dataref 4]');
    expect(formatSkb({ data_ref: dataRef }, fmt)).toBe('skb [users 1 dataref 1]');
  });

  it('prints gso with only its non-zero fields', () => {
    expect(formatSkb({ gso: { flags: 0, frags: 0, size: 1448, segs: 0, type: 1 } }, fmt)).toBe('gso [type 0x1 size 1448]');
    expect(formatSkb({ gso: { flags: 4, frags: 2, size: 1448, segs: 3, type: 0x11 } }, fmt)).toBe(
      'gso [type 0x11 flags 0x4 frags 2 segs 3 size 1448]',
    );
  });

  it('prints the accelerated VLAN tag only with -e', () => {
    const s: SkbSection = { vlan_accel: { proto: 0x8100, pcp: 3, dei: true, vid: 123 }, data_ref: dataRef };
    expect(formatSkb(s, fmt)).toBe('skb [users 1 dataref 1]');
    expect(formatSkb(s, ll)).toBe('vlan_accel (ethertype 802.1Q (0x8100) vlan 123 p 3 DEI) skb [users 1 dataref 1]');
    expect(formatSkb({ vlan_accel: { proto: 0x1234, pcp: 0, dei: false, vid: 1 } }, ll)).toBe('vlan_accel (ethertype (0x1234) vlan 1 p 0)');
    expect(formatSkb({ vlan_accel: { proto: 0x8100, pcp: 0, dei: false, vid: 1 } }, fmt)).toBe('');
    expect(formatSkb({}, ll)).toBe('');
  });
});

describe('skb and packet JSON', () => {
  it('round-trips every sub-section in the reference field order', () => {
    const line =
      '{"packet":{"len":98,"capture_len":4,"data":"+ly9jg=="},"skb":{"vlan_accel":{"proto":33024,"pcp":3,"dei":true,"vid":123},' +
      '"meta":{"len":98,"data_len":0,"hash":2116835702,"ip_summed":0,"csum":2770033380,"csum_level":0,"priority":0},' +
      '"data_ref":{"nohdr":false,"cloned":false,"fclone":0,"users":1,"dataref":1},"gso":{"flags":0,"frags":0,"size":1448,"segs":2,"type":1}}}';
    expect(reg.eventToJson(reg.eventFromJson(line))).toBe(line);
    expect(reg.eventToJson(reg.eventFromJson('{"skb":{}}'))).toBe('{"skb":{}}');
  });

  it('ignores fields of older skb shapes and validates the current ones', () => {
    expect(reg.eventFromJson('{"skb":{"cloned":true,"daddr":"192.168.0.136","meta":null}}').skb).toEqual({});
    expect(() => reg.eventFromJson('{"skb":{"data_ref":{"nohdr":0,"cloned":false,"fclone":0,"users":1,"dataref":1}}}')).toThrow(
      'skb.data_ref.nohdr: expected a boolean, got 0',
    );
    expect(() => reg.eventFromJson('{"skb":{"meta":{"len":1}}}')).toThrow('skb.meta.data_len: expected u32, got undefined');
    expect(() => reg.eventFromJson('{"packet":{"len":1,"capture_len":1,"data":"not base64!"}}')).toThrow('expected standard base64');
  });

  it('prints the packet through the dissector', () => {
    const frame = Buffer.from('fa5cbd8ecc01a6c2117159450800450000540000400040011a2bc0a87d0ac0a87d0b0800000000000000', 'hex');
    const p = { len: frame.length, capture_len: frame.length, data: frame.toString('base64') };
    expect(packetSection.format!(p, fmt, {})).toBe(formatPacket(frame, fmt));
    expect(packetSection.format!(p, fmt, {})).toContain('192.168.125.10 > 192.168.125.11');
  });
});
