import { readFileSync } from 'fs';
import { resolve } from 'path';
import { createCoreRegistry, parseJson } from '@retis/core';
import { ctSection } from './sections';
import type { CtConn, CtSection } from './types';

const multi = { multiLine: true, utc: false, linkLayer: false };
const single = { ...multi, multiLine: false };
const FIXTURES = resolve(__dirname, '../../../test/fixtures/retis-1.7');

const icmpConn: CtConn = {
  zone_id: 0,
  zone_dir: 'Default',
  orig: { ip: { src: '192.168.125.10', dst: '192.168.125.11', version: 'v4' }, proto: { icmp: { code: 0, type: 8, id: 29004 } } },
  reply: { ip: { src: '192.168.125.11', dst: '192.168.125.10', version: 'v4' }, proto: { icmp: { code: 0, type: 0, id: 29004 } } },
  mark: 0,
  ct_status: 8n,
};

const tcpConn: CtConn = {
  zone_id: 3,
  zone_dir: 'Original',
  orig: { ip: { src: '10.0.0.1', dst: '10.0.0.2', version: 'v4' }, proto: { tcp: { sport: 40000, dport: 80 } } },
  reply: { ip: { src: '10.0.0.2', dst: '10.0.0.1', version: 'v4' }, proto: { tcp: { sport: 80, dport: 40000 } } },
  proto_state: 'SYN_SENT',
  mark: 0x10,
  ct_status: 0x188n,
};

describe('ct section JSON', () => {
  const reg = createCoreRegistry().register(ctSection);

  it('writes back every ct section of the Retis fixture exactly', () => {
    const lines = readFileSync(resolve(FIXTURES, 'test_events_packets.json'), 'utf8').split('\n').filter((l) => l.includes('"ct":'));
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) {
      // The ct section is the last key of those events.
      const text = line.slice(line.indexOf('"ct":') + '"ct":'.length, -1);
      expect(ctSection.toJson(ctSection.fromJson(parseJson(text)))).toBe(text);
    }
  });

  it('reads u64 fields as bigint, options only when present, and the parent', () => {
    const line =
      '{"ct":{"state":"established","zone_id":3,"zone_dir":"Original",' +
      '"orig":{"ip":{"src":"2001:db8::1","dst":"2001:db8::2","version":"v6"},"proto":{"sctp":{"sport":1,"dport":2,"vtag":3735928559}}},' +
      '"reply":{"ip":{"src":"2001:db8::2","dst":"2001:db8::1","version":"v6"},"proto":{"sctp":{"sport":2,"dport":1,"vtag":16909060}}},' +
      '"proto_state":"ESTABLISHED","labels":{"hi":18446744073709551615,"lo":1},"ct_status":18446744073709551614,' +
      '"parent":{"zone_id":0,"zone_dir":"None",' +
      '"orig":{"ip":{"src":"10.0.0.1","dst":"10.0.0.2","version":"v4"},"proto":{"udp":{"sport":5060,"dport":5060}}},' +
      '"reply":{"ip":{"src":"10.0.0.2","dst":"10.0.0.1","version":"v4"},"proto":{"udp":{"sport":5060,"dport":5060}}},"mark":7,"ct_status":392}}}';
    const ct = reg.eventFromJson(line).ct!;
    expect(ct.ct_status).toBe(18446744073709551614n);
    expect(ct.labels).toEqual({ hi: 18446744073709551615n, lo: 1n });
    expect(ct).not.toHaveProperty('mark');
    expect(ct.parent?.ct_status).toBe(392n);
    expect(ct.parent?.mark).toBe(7);
    expect(ct.parent).not.toHaveProperty('proto_state');
    expect(reg.eventToJson(reg.eventFromJson(line))).toBe(line);
  });

  it('writes the fields in the reference order', () => {
    const ct: CtSection = { state: 'new', ...tcpConn, labels: { hi: 0n, lo: 2n } };
    expect(Object.keys(JSON.parse(ctSection.toJson(ct)))).toEqual([
      'state', 'zone_id', 'zone_dir', 'orig', 'reply', 'proto_state', 'mark', 'labels', 'ct_status',
    ]);
  });

  it('rejects what Retis rejects', () => {
    const base = (over: string) =>
      `{"ct":{"state":"new","zone_id":0,"zone_dir":"Default",` +
      `"orig":{"ip":{"src":"a","dst":"b","version":"v4"},"proto":{"icmp":{"code":0,"type":8,"id":1}}},` +
      `"reply":{"ip":{"src":"b","dst":"a","version":"v4"},"proto":{"icmp":{"code":0,"type":0,"id":1}}}${over}}}`;
    expect(() => reg.eventFromJson(base(''))).toThrow('Invalid "ct" section: ct.ct_status: expected u64, got undefined');
    expect(reg.eventFromJson(base(',"ct_status":8')).ct?.ct_status).toBe(8n);
    expect(() => reg.eventFromJson(base(',"ct_status":8').replace('"Default"', '"default"'))).toThrow('ct.zone_dir: unknown variant "default"');
    expect(() => reg.eventFromJson(base(',"ct_status":8').replace('"new"', '"invalid"'))).toThrow('ct.state: unknown variant "invalid"');
    expect(() => reg.eventFromJson(base(',"ct_status":8').replace('"icmp":{"code":0,"type":8,"id":1}', '"gre":{}'))).toThrow(
      'ct.orig.proto: unknown protocol "gre"',
    );
    expect(() => reg.eventFromJson(base(',"ct_status":8').replace('"id":1}}},"reply"', '"id":70000}}},"reply"'))).toThrow(
      'ct.orig.proto.icmp.id: expected u16, got 70000',
    );
  });
});

describe('ct section text', () => {
  const text = (ct: CtSection, fmt = multi) => ctSection.format!(ct, fmt, {});

  it('prints the Retis fixture line', () => {
    expect(text({ state: 'new', ...icmpConn })).toBe(
      'ct_state NEW status 0x8 icmp orig [192.168.125.10 > 192.168.125.11 type 8 code 0 id 29004] ' +
        'reply [192.168.125.11 > 192.168.125.10 type 0 code 0 id 29004] zone 0 mark 0',
    );
  });

  it('prints each protocol and zone direction', () => {
    expect(text({ state: 'established', ...tcpConn })).toBe(
      'ct_state ESTABLISHED status 0x188 tcp (SYN_SENT) orig [10.0.0.1.40000 > 10.0.0.2.80] reply [10.0.0.2.80 > 10.0.0.1.40000] orig-zone 3 mark 16',
    );
    const { proto_state: _, ...noState } = tcpConn;
    expect(text({ state: 'reply', ...noState, zone_dir: 'Reply' })).toContain(' tcp (UNKNOWN) orig [');
    expect(text({ state: 'reply', ...noState, zone_dir: 'Reply' })).toContain('] reply-zone 3 mark 16');
    const udp: CtSection = {
      ...icmpConn,
      state: 'related_reply',
      orig: { ip: icmpConn.orig.ip, proto: { udp: { sport: 53, dport: 5353 } } },
      reply: { ip: icmpConn.reply.ip, proto: { udp: { sport: 5353, dport: 53 } } },
    };
    expect(text(udp)).toBe(
      'ct_state RELATED_REPLY status 0x8 udp orig [192.168.125.10.53 > 192.168.125.11.5353] reply [192.168.125.11.5353 > 192.168.125.10.53] zone 0 mark 0',
    );
    const sctp: CtSection = {
      ...icmpConn,
      state: 'untracked',
      orig: { ip: icmpConn.orig.ip, proto: { sctp: { sport: 1, dport: 2, vtag: 0xdeadbeef } } },
      reply: { ip: icmpConn.reply.ip, proto: { sctp: { sport: 2, dport: 1, vtag: 0x10 } } },
      proto_state: 'COOKIE_WAIT',
    };
    expect(text(sctp)).toBe(
      'ct_state UNTRACKED status 0x8 sctp (COOKIE_WAIT) orig [192.168.125.10.1 > 192.168.125.11.2 vtag 0xdeadbeef] ' +
        'reply [192.168.125.11.2 > 192.168.125.10.1 vtag 0x10] zone 0 mark 0',
    );
  });

  it('keeps the Retis spacing: two spaces before mark without a zone, nothing for mismatched protocols', () => {
    expect(text({ state: 'new', ...icmpConn, zone_dir: 'None' })).toMatch(/ id 29004\] {2}mark 0$/);
    const { mark: _, ...noMark } = icmpConn;
    expect(text({ state: 'new', ...noMark, zone_dir: 'None' })).toMatch(/ id 29004\] $/);
    const mixed: CtSection = { state: 'new', ...icmpConn, reply: { ip: icmpConn.reply.ip, proto: { udp: { sport: 1, dport: 2 } } } };
    expect(text(mixed)).toBe('ct_state NEW status 0x8 zone 0 mark 0');
  });

  it('prints labels as one 128-bit hex number', () => {
    expect(text({ state: 'new', ...icmpConn, labels: { hi: 1n, lo: 0xffn } })).toMatch(/ zone 0 mark 0 labels 0x100000000000000ff$/);
  });

  it('puts the parent on its own line in multi-line output, inline otherwise', () => {
    const ct: CtSection = { state: 'related', ...icmpConn, parent: tcpConn };
    const parent = 'parent [status 0x188 tcp (SYN_SENT) orig [10.0.0.1.40000 > 10.0.0.2.80] reply [10.0.0.2.80 > 10.0.0.1.40000] orig-zone 3 mark 16]';
    expect(text(ct)).toMatch(new RegExp(` zone 0 mark 0\\n\\\\ ${parent.replace(/[[\]().]/g, '\\$&')}$`));
    expect(text(ct, single)).toMatch(new RegExp(` zone 0 mark 0 ${parent.replace(/[[\]().]/g, '\\$&')}$`));
  });
});
