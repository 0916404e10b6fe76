import { encodeStruct, FactoryTable, layoutMismatches, parseRawEvent, RawEventBuilder, readObjectBtf } from '@retis/core';
import { join } from 'path';
import {
  CT_CONN_EVENT_LAYOUT, CT_ENDPOINT_LAYOUT, CT_FLAGS, CT_META_EVENT_LAYOUT, CT_OWNER, CT_TUPLE_LAYOUT, CtFactory,
  type CtDecodeOptions,
} from './decode';
import { buildProtoStateNames, type ProtoStateNames } from './proto-states';

const STATES: ProtoStateNames = {
  tcp: new Map([[1, 'SYN_SENT'], [3, 'ESTABLISHED']]),
  sctp: new Map([[4, 'ESTABLISHED']]),
};
const ALL: CtDecodeOptions = { protoStates: STATES, markAvailable: true, labelsAvailable: true };

const be16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const be32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const v4 = (a: string) => Buffer.from(a.split('.').map(Number));

/** A ct_endpoint: address bytes and the raw 2 data bytes. */
function endpoint(addr: Buffer, data: Buffer): Buffer {
  return encodeStruct(CT_ENDPOINT_LAYOUT, { addr, data });
}

function tuple(src: Buffer, dst: Buffer): Buffer {
  return encodeStruct(CT_TUPLE_LAYOUT, { src, dst });
}

/** ICMP echo between two IPv4 hosts as conntrack stores it: id at the source, type/code (host order) at the destination. */
function icmpConn(a: string, b: string, id: number, extra: Record<string, number | bigint | Buffer> = {}): Buffer {
  const typeCode = (type: number, code: number) => {
    const d = Buffer.alloc(2);
    new DataView(d.buffer, d.byteOffset, 2).setUint16(0, (type << 8) | code, true);
    return d;
  };
  return encodeStruct(CT_CONN_EVENT_LAYOUT, {
    orig: tuple(endpoint(v4(a), be16(id)), endpoint(v4(b), typeCode(8, 0))),
    reply: tuple(endpoint(v4(b), be16(id)), endpoint(v4(a), typeCode(0, 0))),
    flags: CT_FLAGS.DIR_ORIG | CT_FLAGS.DIR_REPLY | CT_FLAGS.IPV4 | CT_FLAGS.ICMP,
    status: 8,
    ...extra,
  });
}

function decode(build: (b: RawEventBuilder) => RawEventBuilder, opts: CtDecodeOptions = ALL) {
  const buf = build(new RawEventBuilder()).build();
  return parseRawEvent(buf, 0, buf.length, new FactoryTable([new CtFactory(opts)])).ct;
}

const meta = (state: number) => (b: RawEventBuilder) => b.struct(CT_OWNER, 0, CT_META_EVENT_LAYOUT, { state });

describe('CtFactory', () => {
  it('decodes the ping of the Retis fixture (ICMP over IPv4, default zone)', () => {
    const ct = decode((b) => meta(2)(b.section(CT_OWNER, 1, icmpConn('192.168.125.10', '192.168.125.11', 29004))));
    // test_events_packets.json, first event.
    expect(ct).toEqual({
      state: 'new',
      zone_id: 0,
      zone_dir: 'Default',
      orig: { ip: { src: '192.168.125.10', dst: '192.168.125.11', version: 'v4' }, proto: { icmp: { code: 0, type: 8, id: 29004 } } },
      reply: { ip: { src: '192.168.125.11', dst: '192.168.125.10', version: 'v4' }, proto: { icmp: { code: 0, type: 0, id: 29004 } } },
      mark: 0,
      ct_status: 8n,
    });
  });

  it('names every ip_conntrack_info value Retis knows and rejects the others', () => {
    const conn = icmpConn('10.0.0.1', '10.0.0.2', 1);
    const states = [0, 1, 2, 3, 4, 7].map((s) => decode((b) => meta(s)(b.section(CT_OWNER, 1, conn)))?.state);
    expect(states).toEqual(['established', 'related', 'new', 'reply', 'related_reply', 'untracked']);
    expect(() => decode((b) => meta(5)(b.section(CT_OWNER, 1, conn)))).toThrow('ct: unsupported ct state 5');
  });

  it('decodes TCP over IPv6 with its state name, mark, labels and zone direction', () => {
    const a = Buffer.from('20010db8000000000000000000000001', 'hex');
    const b = Buffer.from('20010db8000000000000000000000002', 'hex');
    const conn = encodeStruct(CT_CONN_EVENT_LAYOUT, {
      orig: tuple(endpoint(a, be16(40000)), endpoint(b, be16(443))),
      reply: tuple(endpoint(b, be16(443)), endpoint(a, be16(40000))),
      flags: CT_FLAGS.DIR_REPLY | CT_FLAGS.IPV6 | CT_FLAGS.TCP,
      status: 0x18en,
      mark: 0xcafe,
      zone_id: 7,
      proto_state: 3,
      // bits[0] = 1 << 3, bits[1] = 1: labels 3 and 64.
      labels: Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0])]),
    });
    expect(decode((bld) => meta(0)(bld.section(CT_OWNER, 1, conn)))).toEqual({
      state: 'established',
      zone_id: 7,
      zone_dir: 'Reply',
      orig: { ip: { src: '2001:db8::1', dst: '2001:db8::2', version: 'v6' }, proto: { tcp: { sport: 40000, dport: 443 } } },
      reply: { ip: { src: '2001:db8::2', dst: '2001:db8::1', version: 'v6' }, proto: { tcp: { sport: 443, dport: 40000 } } },
      proto_state: 'ESTABLISHED',
      mark: 0xcafe,
      labels: { hi: 1n, lo: 8n },
      ct_status: 0x18en,
    });
  });

  it('decodes UDP and SCTP ports, SCTP verification tags and unknown states as numbers', () => {
    const udp = encodeStruct(CT_CONN_EVENT_LAYOUT, {
      orig: tuple(endpoint(v4('10.0.0.1'), be16(5353)), endpoint(v4('10.0.0.2'), be16(53))),
      reply: tuple(endpoint(v4('10.0.0.2'), be16(53)), endpoint(v4('10.0.0.1'), be16(5353))),
      flags: CT_FLAGS.DIR_ORIG | CT_FLAGS.IPV4 | CT_FLAGS.UDP,
      proto_state: 9,
    });
    const u = decode((b) => meta(2)(b.section(CT_OWNER, 1, udp)));
    expect(u?.orig.proto).toEqual({ udp: { sport: 5353, dport: 53 } });
    expect(u?.reply.proto).toEqual({ udp: { sport: 53, dport: 5353 } });
    expect(u?.zone_dir).toBe('Original');
    // Only TCP and SCTP have a protocol state.
    expect(u).not.toHaveProperty('proto_state');

    const sctp = encodeStruct(CT_CONN_EVENT_LAYOUT, {
      orig: tuple(endpoint(v4('10.0.0.1'), be16(2905)), endpoint(v4('10.0.0.2'), be16(2906))),
      reply: tuple(endpoint(v4('10.0.0.2'), be16(2906)), endpoint(v4('10.0.0.1'), be16(2905))),
      flags: CT_FLAGS.IPV4 | CT_FLAGS.SCTP,
      sctp_vtag: Buffer.concat([be32(0xdeadbeef), be32(0x01020304)]),
      proto_state: 4,
    });
    const s = decode((b) => meta(0)(b.section(CT_OWNER, 1, sctp)));
    expect(s?.orig.proto).toEqual({ sctp: { sport: 2905, dport: 2906, vtag: 0xdeadbeef } });
    expect(s?.reply.proto).toEqual({ sctp: { sport: 2906, dport: 2905, vtag: 0x01020304 } });
    expect(s?.proto_state).toBe('ESTABLISHED');
    expect(s?.zone_dir).toBe('None');

    const unknown = encodeStruct(CT_CONN_EVENT_LAYOUT, { orig: Buffer.alloc(40), reply: Buffer.alloc(40), flags: CT_FLAGS.IPV4 | CT_FLAGS.TCP, proto_state: 42 });
    expect(decode((b) => meta(0)(b.section(CT_OWNER, 1, unknown)))?.proto_state).toBe('42');
  });

  it('leaves mark out without CONFIG_NF_CONNTRACK_MARK, and labels when zero or not configured', () => {
    const labelled = icmpConn('10.0.0.1', '10.0.0.2', 1, { mark: 5, labels: Buffer.from([1, ...new Array(15).fill(0)]) });
    const none = decode((b) => meta(2)(b.section(CT_OWNER, 1, labelled)), { protoStates: STATES, markAvailable: false, labelsAvailable: false });
    expect(none).not.toHaveProperty('mark');
    expect(none).not.toHaveProperty('labels');
    const all = decode((b) => meta(2)(b.section(CT_OWNER, 1, labelled)));
    expect(all?.mark).toBe(5);
    expect(all?.labels).toEqual({ hi: 0n, lo: 1n });
    expect(decode((b) => meta(2)(b.section(CT_OWNER, 1, icmpConn('10.0.0.1', '10.0.0.2', 1))))).not.toHaveProperty('labels');
  });

  it('decodes the master connection as parent, whatever the section order', () => {
    const ct = decode((b) =>
      b.section(CT_OWNER, 2, icmpConn('10.0.0.9', '10.0.0.8', 77, { status: 0x188 }))
        .struct(CT_OWNER, 0, CT_META_EVENT_LAYOUT, { state: 1 })
        .section(CT_OWNER, 1, icmpConn('10.0.0.1', '10.0.0.2', 1)),
    );
    expect(ct?.state).toBe('related');
    expect(ct?.orig.ip.src).toBe('10.0.0.1');
    expect(ct?.parent).toEqual({
      zone_id: 0,
      zone_dir: 'Default',
      orig: { ip: { src: '10.0.0.9', dst: '10.0.0.8', version: 'v4' }, proto: { icmp: { code: 0, type: 8, id: 77 } } },
      reply: { ip: { src: '10.0.0.8', dst: '10.0.0.9', version: 'v4' }, proto: { icmp: { code: 0, type: 0, id: 77 } } },
      mark: 0,
      ct_status: 0x188n,
    });
  });

  it('rejects incomplete or malformed events', () => {
    const conn = icmpConn('10.0.0.1', '10.0.0.2', 1);
    expect(() => decode((b) => b.section(CT_OWNER, 1, conn))).toThrow('ct: event has no meta section');
    expect(() => decode(meta(2))).toThrow('ct: event has no base connection section');
    expect(() => decode((b) => meta(2)(b.section(CT_OWNER, 1, conn.subarray(0, 120))))).toThrow(
      'ct: section data ct_conn_event is not the expected size (120 != 128)',
    );
    expect(() => decode((b) => meta(2)(b.section(CT_OWNER, 1, conn)).section(CT_OWNER, 3, Buffer.alloc(1)))).toThrow('ct: unknown data type 3');
    const noFamily = encodeStruct(CT_CONN_EVENT_LAYOUT, { orig: Buffer.alloc(40), reply: Buffer.alloc(40), flags: CT_FLAGS.TCP });
    expect(() => decode((b) => meta(2)(b.section(CT_OWNER, 1, noFamily)))).toThrow('ct: invalid ip tuple information');
    const noProto = encodeStruct(CT_CONN_EVENT_LAYOUT, { orig: Buffer.alloc(40), reply: Buffer.alloc(40), flags: CT_FLAGS.IPV4 });
    expect(() => decode((b) => meta(2)(b.section(CT_OWNER, 1, noProto)))).toThrow('ct: invalid protocol tuple information');
  });

  it.each([CT_META_EVENT_LAYOUT, CT_CONN_EVENT_LAYOUT, CT_TUPLE_LAYOUT, CT_ENDPOINT_LAYOUT])('matches $name in the built hook object', (layout) => {
    const btf = readObjectBtf(join(__dirname, '../dist/ct_hook.bpf.o'));
    expect(layoutMismatches(btf, layout)).toEqual([]);
  });
});

describe('buildProtoStateNames', () => {
  it("names this machine's TCP and SCTP conntrack states from its BTF", () => {
    const btf = readObjectBtf('/sys/kernel/btf/vmlinux');
    const names = buildProtoStateNames(btf);
    const tcp = btf.type(btf.findByName('tcp_conntrack', 'enum')).values ?? [];
    expect(tcp.length).toBeGreaterThan(5);
    for (const v of tcp) expect(names.tcp.get(Number(v.value))).toBe(v.name.replace('TCP_CONNTRACK_', ''));
    expect(names.tcp.get(3)).toBe('ESTABLISHED');
    expect(names.sctp.get(4)).toBe('ESTABLISHED');
  });

  it('gives empty tables on kernels without the enums', () => {
    const names = buildProtoStateNames({ findByName: () => -1, type: () => ({ kind: 'enum', name: '' }) });
    expect(names.tcp.size).toBe(0);
    expect(names.sctp.size).toBe(0);
  });
});
