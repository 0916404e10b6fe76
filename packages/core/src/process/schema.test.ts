import Ajv2020 from 'ajv/dist/2020';
import { OVS_NAMED_ACTIONS, type OvsSection } from '../../../collector-ovs/src/types';
import { EventsFileReader } from '../events/file-reader';
import { createCoreRegistry } from '../events/registry';
import type { SectionDefinition } from '../events/section';
import type { RetisEvent } from '../events/types';
import { eventJsonSchema, eventJsonSchemaText } from './schema';
import { sortEvents } from './sort';
import { bundledRegistry, detraceEvent, fixture, kernelEvent, skb, userspaceEvent } from './sort-support.testutil';

const registry = bundledRegistry();
function newAjv(strict: boolean): Ajv2020 {
  const ajv = new Ajv2020({ strict, allErrors: true });
  // The integer formats name the Rust types of the reference; JSON Schema leaves them to the reader.
  for (const f of ['uint8', 'uint16', 'uint32', 'uint64', 'int32', 'int64']) ajv.addFormat(f, true);
  return ajv;
}
const ajv = newAjv(true);
const validate = ajv.compile(eventJsonSchema(registry));

/** The event as a JSON reader sees it (what the schema describes). */
const asJson = (e: RetisEvent): unknown => JSON.parse(registry.eventToJson(e));

function expectValid(e: RetisEvent): void {
  const ok = validate(asJson(e));
  if (!ok) throw new Error(`${registry.eventToJson(e)}\n${ajv.errorsText(validate.errors)}`);
}

function readEvents(name: string): RetisEvent[] {
  const reader = EventsFileReader.open(fixture(name), { registry });
  try {
    return reader.kind === 'series' ? [...reader.series()].flat() : [...reader.events()];
  } finally {
    reader.close();
  }
}

describe('event JSON schema', () => {
  it('is draft 2020-12, titled as Retis\'s, with every $ref defined (it compiles in strict mode)', () => {
    const schema = eventJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('Retis Metadata');
    expect(Object.keys(schema.properties as object)).toEqual([
      'common', 'ct', 'dev', 'kernel', 'netns', 'nft', 'ovs', 'ovs-detrace', 'packet', 'skb', 'skb-drop', 'skb-tracking',
      'startup', 'tracking', 'userspace',
    ]);
  });

  it('knows every action the ovs collector reads', () => {
    for (const action of OVS_NAMED_ACTIONS) {
      expectValid(kernelEvent(20n, 'openvswitch:ovs_do_execute_action', { ovs: { event_type: 'action_execute', action, recirc_id: 0 } }));
    }
  });

  it.each(['test_events.json', 'test_events_packets.json', 'test_events_sorted.json', 'test_events_bench.json'])(
    'accepts every event of %s', (name) => {
      const events = readEvents(name);
      expect(events.length).toBeGreaterThan(0);
      events.forEach(expectValid);
    });

  it('accepts sorted events (tracking section)', () => {
    const series = [...sortEvents(readEvents('test_events_packets.json'))];
    series.flat().forEach(expectValid);
    expect(series.flat().some((e) => e.tracking !== undefined)).toBe(true);
  });

  it('accepts every kind of ovs event and the other sections of Retis', () => {
    const t = skb(10n, 0x1000n);
    const ovs: OvsSection[] = [
      { event_type: 'upcall', cmd: 1, port: 3, cpu: 2 },
      { event_type: 'upcall_enqueue', ret: -11, cmd: 1, port: 3, upcall_ts: 10n, upcall_cpu: 2, queue_id: 77 },
      { event_type: 'upcall_return', upcall_ts: 10n, upcall_cpu: 2, ret: 0 },
      { event_type: 'action_execute', recirc_id: 0 },
      { event_type: 'action_execute', action: 'output', port: 4, recirc_id: 0, queue_id: 77 },
      { event_type: 'action_execute', action: 'ct', flags: 485, zone_id: 20, nat: { dir: 'dst', min_addr: '10.0.0.1', max_port: 80 }, recirc_id: 1 },
      { event_type: 'action_execute', action: 'drop', reason: 3, recirc_id: 0 },
      { event_type: 'action_execute', action: 'dec_ttl', recirc_id: 0 },
      { event_type: 'flow_lookup', flow: 1n, sf_acts: 2n, ufid: [1, 2, 3, 4], n_mask_hit: 1, n_cache_hit: 0, dpflow: '', ofpflows: [] },
    ];
    for (const o of ovs) expectValid(kernelEvent(20n, 'openvswitch:ovs_do_execute_action', { tracking: t, ovs: o }));
    expectValid(userspaceEvent(30n, 'dpif_recv:recv_upcall', {
      event_type: 'recv_upcall', type: 0, pkt_size: 98, key_size: 18446744073709551615n, queue_id: 77, batch_ts: 30n, batch_idx: 1,
    }));
    expectValid(userspaceEvent(31n, 'dpif_netlink_operate__:op_flow_put', {
      event_type: 'flow_operation', op_type: 'put', queue_id: 77, batch_ts: 30n, batch_idx: 1,
    }));
    expectValid(detraceEvent(40n, { ufid: [1, 2, 3, 4], flow: 1n, sf_acts: 2n, dpflow: 'in_port(1)', ofpflows: ['a', 'b'] }));
    expectValid({
      ...kernelEvent(50n, '__nft_trace_packet'),
      nft: { table_name: 'filter', chain_name: 'input', verdict: 'jump', verdict_chain_name: 'x', table_handle: 1n, chain_handle: 2n, policy: false },
      'skb-drop': { subsys: 'openvswitch', drop_reason: 'OVS_DROP_LAST_ACTION' },
    });
    expectValid({
      ...kernelEvent(60n, 'ip_rcv'),
      ct: {
        state: 'related', zone_id: 0, zone_dir: 'Default', ct_status: 0x188n, mark: 1, labels: { hi: 1n, lo: 0n },
        orig: { ip: { src: '10.0.0.1', dst: '10.0.0.2', version: 'v4' }, proto: { sctp: { sport: 1, dport: 2, vtag: 99 } } },
        reply: { ip: { src: '10.0.0.2', dst: '10.0.0.1', version: 'v4' }, proto: { sctp: { sport: 2, dport: 1, vtag: 98 } } },
        parent: {
          zone_id: 0, zone_dir: 'Default', ct_status: 8n, proto_state: 'ESTABLISHED',
          orig: { ip: { src: '10.0.0.1', dst: '10.0.0.2', version: 'v4' }, proto: { tcp: { sport: 1, dport: 21 } } },
          reply: { ip: { src: '10.0.0.2', dst: '10.0.0.1', version: 'v4' }, proto: { tcp: { sport: 21, dport: 1 } } },
        },
      },
    });
  });

  const tuple = (src: string, dst: string, proto: object) => ({ ip: { src, dst, version: 'v4' }, proto });
  const validCt = {
    state: 'new', zone_id: 0, zone_dir: 'Default', ct_status: 8,
    orig: tuple('10.0.0.1', '10.0.0.2', { udp: { sport: 1, dport: 53 } }),
    reply: tuple('10.0.0.2', '10.0.0.1', { udp: { sport: 53, dport: 1 } }),
  };
  const validUpcall = { event_type: 'upcall', cmd: 1, port: 3, cpu: 2 };

  it('accepts the bases of the rejections below', () => {
    expect(validate({ ct: validCt, ovs: validUpcall, dev: { name: 'eth0', ifindex: 2 } })).toBe(true);
  });

  it.each([
    ['a timestamp that is not an integer', { common: { timestamp: 'now' } }],
    ['a negative u32', { dev: { name: 'eth0', ifindex: -1 } }],
    ['a u8 out of range', { skb: { data_ref: { nohdr: false, cloned: false, fclone: 0, users: 256, dataref: 1 } } }],
    ['a missing required field', { kernel: { symbol: 'ip_rcv' } }],
    ['an unknown ovs event type', { ovs: { ...validUpcall, event_type: 'teleport' } }],
    ['an unknown ovs action', { ovs: { event_type: 'action_execute', action: 'teleport', recirc_id: 0 } }],
    ['two protocols in a ct tuple', {
      ct: { ...validCt, orig: tuple('a', 'b', { tcp: { sport: 1, dport: 2 }, udp: { sport: 1, dport: 2 } }) },
    }],
    ['a ct state Retis does not have', { ct: { ...validCt, state: 'confused' } }],
    ['a packet that is not base64 text', { packet: { len: 1, capture_len: 1, data: [1] } }],
  ])('rejects %s', (_what, value) => {
    expect(validate(value)).toBe(false);
  });

  it('lists the keys of sections registered beyond Retis\'s, with their own schema when given', () => {
    const plain: SectionDefinition = { key: 'x-plain', fromJson: (v) => v, toJson: () => '{}' };
    const described = {
      key: 'x-described', fromJson: (v: unknown) => v, toJson: () => '{}',
      schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
    };
    const schema = eventJsonSchema(createCoreRegistry().register(plain).register(described));
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props['x-plain']).toEqual({ description: 'Section "x-plain".' });
    const check = newAjv(false).compile(schema);
    expect(check({ 'x-described': { n: 1 }, 'x-plain': [1, 'anything'] })).toBe(true);
    expect(check({ 'x-described': { n: 'one' } })).toBe(false);
  });

  it('prints pretty with two-space indentation', () => {
    const text = eventJsonSchemaText();
    expect(text.split('\n')[1]).toBe('  "$schema": "https://json-schema.org/draft/2020-12/schema",');
    expect(JSON.parse(text)).toEqual(eventJsonSchema());
  });
});
