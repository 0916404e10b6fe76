/**
 * The console text of whole events against what Retis 1.7 printed for them:
 * its `pcap` command stored, in each packet's comment, the text of the event
 * of test_events_packets.json the packet came from (ovs and ct lines
 * included). And test_events_packets_invalid_ct.json, whose ct sections
 * predate `ct_status`, is refused where Retis refuses it.
 */
import { resolve } from 'path';
import { type EventsFileError, EventsFileReader, eventOutput, formatEvent, type RetisEvent } from '@retis/core';
import { readPcapng } from '../../collector-skb/src/packet/test-support/pcapng';
import { fullRegistry } from './test-support/full-registry';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/retis-1.7');
const multi = { multiLine: true, utc: false, linkLayer: false };

function readAll(name: string, onInvalidLine?: (e: EventsFileError) => void): RetisEvent[] {
  const reader = EventsFileReader.open(resolve(FIXTURES, name), { registry: fullRegistry(), onInvalidLine });
  try {
    return [...reader.events()];
  } finally {
    reader.close();
  }
}

describe('events of test_events_packets.json as Retis printed them', () => {
  const events = readAll('test_events_packets.json').filter((e) => e.startup === undefined);
  const printed = readPcapng(resolve(FIXTURES, 'test_events_packets.pcap')).map((p) => {
    expect(p.comments).toHaveLength(1);
    return p.comments[0];
  });
  const registry = fullRegistry();

  it('has one printed text per event, with ovs and ct lines among them', () => {
    expect(events.length).toBeGreaterThan(20);
    expect(printed).toHaveLength(events.length);
    expect(printed.filter((t) => t.includes('\n  ct_state ')).length).toBe(events.filter((e) => e.ct !== undefined).length);
    expect(printed.filter((t) => /\n {2}(upcall|upcall_ret|exec) /.test(t)).length).toBe(events.filter((e) => e.ovs !== undefined).length);
  });

  it.each(events.map((e, i) => [i, e] as const))('event %i', (i, event) => {
    expect(formatEvent(event, registry, { ...multi }).split('\n')).toEqual(printed[i].split('\n'));
    // As `retis print` writes it: a blank line after each multi-line event.
    expect(eventOutput(event, registry, { ...multi })).toBe(printed[i] + '\n\n');
  });
});

describe('test_events_packets_invalid_ct.json', () => {
  it('stops at the first ct section without ct_status, as Retis does', () => {
    expect(() => readAll('test_events_packets_invalid_ct.json')).toThrow(
      /test_events_packets_invalid_ct\.json:8: .*Invalid "ct" section: ct\.ct_status: expected u64, got undefined/,
    );
  });

  it('keeps every other event when invalid lines are skipped', () => {
    const invalid: number[] = [];
    const events = readAll('test_events_packets_invalid_ct.json', (e) => invalid.push(e.line));
    expect(invalid).toEqual([8, 11, 14, 17]);
    expect(events).toHaveLength(13);
    expect(events.every((e) => e.ct === undefined)).toBe(true);
    expect(events.filter((e) => e.ovs !== undefined)).toHaveLength(12);
  });
});
