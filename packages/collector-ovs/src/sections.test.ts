import { readFileSync } from 'fs';
import { resolve } from 'path';
import { createCoreRegistry, parseJson } from '@retis/core';
import { ovsDetraceSection, ovsSection, ufidText } from './sections';
import type { OvsDetraceSection, OvsSection } from './types';

const multi = { multiLine: true, utc: false, linkLayer: false };
const single = { ...multi, multiLine: false };
const FIXTURES = resolve(__dirname, '../../../test/fixtures/retis-1.7');
const text = (e: OvsSection, fmt = multi) => ovsSection.format!(e, fmt, {});

describe('ovs section JSON', () => {
  const reg = createCoreRegistry().register(ovsSection).register(ovsDetraceSection);
  const roundTrip = (json: string) => ovsSection.toJson(ovsSection.fromJson(parseJson(json)));

  it('writes back every ovs section of the Retis fixture exactly', () => {
    const lines = readFileSync(resolve(FIXTURES, 'test_events_packets.json'), 'utf8').split('\n').filter((l) => l.includes('"ovs":'));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const json = line.slice(line.indexOf('"ovs":') + '"ovs":'.length, -1);
      expect(roundTrip(json)).toBe(json);
    }
  });

  // Retis's own serialisation vectors (retis-events ovs.rs tests), in its field order.
  it.each([
    '{"event_type":"upcall","cmd":1,"port":4195744766,"cpu":0}',
    '{"event_type":"action_execute","action":"output","port":2,"recirc_id":0,"queue_id":1361394472}',
    '{"event_type":"upcall_enqueue","ret":0,"cmd":1,"port":4195744766,"upcall_ts":61096236973661,"upcall_cpu":0,"queue_id":3316322986}',
    '{"event_type":"upcall_return","upcall_ts":61096236973661,"upcall_cpu":0,"ret":0}',
    '{"event_type":"flow_operation","op_type":"exec","queue_id":3316322986,"batch_ts":61096237019698,"batch_idx":0}',
    '{"event_type":"flow_operation","op_type":"put","queue_id":3316322986,"batch_ts":61096237019698,"batch_idx":0}',
    '{"event_type":"action_execute","action":"ct","flags":485,"zone_id":20,"nat":{"dir":"dst","min_addr":"10.244.1.3","max_addr":"10.244.1.30","min_port":36895,"max_port":36900},"recirc_id":34}',
    '{"event_type":"action_execute","action":"drop","reason":0,"recirc_id":32}',
    '{"event_type":"action_execute","action":"recirc","id":7,"recirc_id":0}',
    '{"event_type":"action_execute","action":"userspace","recirc_id":0}',
    '{"event_type":"action_execute","recirc_id":0}',
    '{"event_type":"recv_upcall","type":0,"pkt_size":98,"key_size":18446744073709551615,"queue_id":7,"batch_ts":61096237019698,"batch_idx":3}',
    '{"event_type":"flow_lookup","flow":18446619372617628672,"sf_acts":18446619372617629184,"ufid":[1,2,3,4],"n_mask_hit":1,"n_cache_hit":0,"dpflow":"","ofpflows":[]}',
  ])('round-trips %s', (json) => {
    expect(roundTrip(json)).toBe(json);
  });

  it('keeps u64 fields exact as bigint', () => {
    const e = reg.eventFromJson('{"ovs":{"event_type":"upcall_return","upcall_ts":18446744073709551615,"upcall_cpu":3,"ret":-22}}').ovs;
    expect(e).toEqual({ event_type: 'upcall_return', upcall_ts: 18446744073709551615n, upcall_cpu: 3, ret: -22 });
    const lookup = reg.eventFromJson(
      '{"ovs":{"event_type":"flow_lookup","flow":18446619372617628672,"sf_acts":1,"ufid":[1,2,3,4],"n_mask_hit":1,"n_cache_hit":0,"dpflow":"","ofpflows":[]}}',
    ).ovs;
    expect(lookup).toMatchObject({ flow: 18446619372617628672n, sf_acts: 1n });
  });

  it('reads and writes ovs-detrace', () => {
    const line =
      '{"ovs-detrace":{"ufid":[2864434397,3405691582,4277009102,305419896],"flow":18446619372617628672,"sf_acts":18446619372617629184,' +
      '"dpflow":"recirc_id(0),in_port(2),eth_type(0x0800)","ofpflows":["table=0 priority=0 actions=NORMAL","table=1 \\"x\\""]}}';
    const d = reg.eventFromJson(line)['ovs-detrace'];
    expect(d?.flow).toBe(18446619372617628672n);
    expect(d?.ofpflows[1]).toBe('table=1 "x"');
    expect(reg.eventToJson(reg.eventFromJson(line))).toBe(line);
  });

  it('rejects unknown variants and malformed fields', () => {
    expect(() => reg.eventFromJson('{"ovs":{"event_type":"nope"}}')).toThrow('ovs.event_type: unknown event type "nope"');
    expect(() => reg.eventFromJson('{"ovs":{"event_type":"action_execute","action":"teleport","recirc_id":0}}')).toThrow(
      'ovs.action: unknown action "teleport"',
    );
    expect(() => reg.eventFromJson('{"ovs":{"event_type":"flow_operation","op_type":"del","queue_id":1,"batch_ts":1,"batch_idx":0}}')).toThrow(
      'Unknown operation string del',
    );
    expect(() => reg.eventFromJson('{"ovs":{"event_type":"upcall","cmd":1,"port":1}}')).toThrow('ovs.cpu: expected u32, got undefined');
    expect(() => reg.eventFromJson('{"ovs-detrace":{"ufid":[1,2,3],"flow":0,"sf_acts":0,"dpflow":"","ofpflows":[]}}')).toThrow(
      'ovs-detrace.ufid: expected an array of 4 u32',
    );
  });
});

describe('ovs section text', () => {
  it('prints the upcall family', () => {
    expect(text({ event_type: 'upcall', cmd: 1, port: 3319069055, cpu: 6 })).toBe('upcall (miss) port 3319069055 cpu 6');
    expect(text({ event_type: 'upcall', cmd: 9, port: 1, cpu: 0 })).toBe('upcall port 1 cpu 0');
    expect(text({ event_type: 'upcall_enqueue', ret: -11, cmd: 2, port: 5, upcall_ts: 42n, upcall_cpu: 3, queue_id: 77 })).toBe(
      'upcall_enqueue (action) (3/42) q 77 ret -11',
    );
    expect(text({ event_type: 'upcall_return', upcall_ts: 30419169098548n, upcall_cpu: 6, ret: 0 })).toBe('upcall_ret (6/30419169098548) ret 0');
    expect(text({ event_type: 'recv_upcall', type: 0, pkt_size: 98, key_size: 160n, queue_id: 9, batch_ts: 1n, batch_idx: 0 })).toBe(
      'upcall_recv q 9 pkt_size 98',
    );
    expect(text({ event_type: 'flow_operation', op_type: 'put', queue_id: 9, batch_ts: 123n, batch_idx: 2 })).toBe('flow_put q 9 ts 123 (2)');
  });

  it('prints executed actions', () => {
    const exec = (fields: Record<string, unknown>) => text({ event_type: 'action_execute', recirc_id: 0, ...fields } as OvsSection);
    expect(exec({ action: 'output', port: 4 })).toBe('exec oport 4');
    expect(exec({ action: 'output', port: 4, recirc_id: 0x22, queue_id: 5 })).toBe('[recirc_id 0x22] exec oport 4 q 5');
    expect(exec({})).toBe('exec unspec');
    expect(exec({ action: 'recirc', id: 255 })).toBe('exec recirc 0xff');
    expect(exec({ action: 'drop', reason: 3 })).toBe('exec drop 3');
    expect(exec({ action: 'set' })).toBe('exec tunnel_set');
    expect(exec({ action: 'dec_ttl' })).toBe('exec dec_ttl');
    // commit|ip4|nat|nat_dst|range_map_ips|range_proto_specified = 485 (Retis's vector).
    expect(
      exec({ action: 'ct', flags: 485, zone_id: 20, nat: { dir: 'dst', min_addr: '10.244.1.3', max_addr: '10.244.1.30', min_port: 36895, max_port: 36900 } }),
    ).toBe('exec ct zone 20 nat(dst=10.244.1.3-10.244.1.30:36895-36900) commit');
    expect(exec({ action: 'ct', flags: 0xfb3, zone_id: 1, nat: { dir: 'src', min_addr: '1.1.1.1', max_addr: '1.1.1.1', min_port: 80, max_port: 80 } })).toBe(
      'exec ct zone 1 nat(src=1.1.1.1:80) commit,force,persistent,hash,random',
    );
    // Without the range flags the addresses and ports are not printed.
    expect(exec({ action: 'ct', flags: 0, zone_id: 0, nat: { dir: 'src', min_addr: '1.1.1.1', max_addr: '1.1.1.2' } })).toBe('exec ct zone 0 nat(src)');
    expect(exec({ action: 'ct', flags: 0, zone_id: 0, nat: {} })).toBe('exec ct zone 0 nat');
  });

  it('prints flow lookups, with enrichment on separate lines in multi-line output', () => {
    const lookup: OvsSection = {
      event_type: 'flow_lookup',
      flow: 0xffff8e95c3b67c00n,
      sf_acts: 0xffff8e95c3b68000n,
      ufid: [0xaabbccdd, 0x11223344, 0x55667788, 0x99aabbcc],
      n_mask_hit: 2,
      n_cache_hit: 1,
      dpflow: 'in_port(2),eth_type(0x0800)',
      ofpflows: ['table=0 actions=NORMAL', 'table=1 actions=drop'],
    };
    const head = 'flow hit ufid aabbccdd-1122-3344-5566-778899aabbcc mask 2 cache 1 flow ffff8e95c3b67c00 sf_acts ffff8e95c3b68000';
    expect(text(lookup)).toBe(`${head}\nodpflow in_port(2),eth_type(0x0800)\nopenflow\n    table=0 actions=NORMAL\n    table=1 actions=drop`);
    expect(text(lookup, single)).toBe(`${head} odpflow in_port(2),eth_type(0x0800) openflow table=0 actions=NORMAL table=1 actions=drop`);
    expect(text({ ...lookup, dpflow: '', ofpflows: [] })).toBe(head);
    expect(text({ ...lookup, flow: 0n })).toBe('flow miss mask 2 cache 1');
  });
});

describe('ovs-detrace text', () => {
  const d: OvsDetraceSection = {
    ufid: [1, 0x00020003, 0x00040005, 6],
    flow: 1n,
    sf_acts: 2n,
    dpflow: 'in_port(2)',
    ofpflows: ['table=0 a', 'table=1 b'],
  };

  it('prints the ufid, the datapath flow and the OpenFlow flows', () => {
    expect(ufidText(d.ufid)).toBe('00000001-0002-0003-0004-000500000006');
    expect(ovsDetraceSection.format!(d, multi, {})).toBe('ufid:00000001-0002-0003-0004-000500000006 in_port(2)\nopenflow:\n    table=0 a\n    table=1 b');
    expect(ovsDetraceSection.format!(d, single, {})).toBe('ufid:00000001-0002-0003-0004-000500000006 in_port(2) openflow: table=0 a table=1 b');
  });
});
