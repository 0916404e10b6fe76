/**
 * Files written by Retis itself (test/fixtures/retis-1.7): every one reads,
 * values stay exact, and what we write back is what Retis wrote.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { DEV_SECTIONS } from '../../../collector-dev/src/sections';
import { NS_SECTIONS } from '../../../collector-ns/src/sections';
import { SKB_SECTIONS } from '../../../collector-skb/src/sections';
import { SKB_DROP_SECTIONS } from '../../../collector-skb-drop/src/sections';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { CompatLevel } from './compat';
import { EventsFileReader } from './file-reader';
import { createCoreRegistry, type SectionRegistry } from './registry';
import type { EventSeries, RetisEvent } from './types';

const FIXTURES = join(__dirname, '../../../../test/fixtures/retis-1.7');
const fixture = (name: string): string => join(FIXTURES, name);

function registry(): SectionRegistry {
  return createCoreRegistry()
    .registerAll(SKB_TRACKING_SECTIONS)
    .registerAll(SKB_DROP_SECTIONS)
    .registerAll(SKB_SECTIONS)
    .registerAll(DEV_SECTIONS)
    .registerAll(NS_SECTIONS);
}

function lines(name: string): string[] {
  return readFileSync(fixture(name), 'utf8').split('\n').filter((l) => l.length > 0);
}

function readEvents(name: string): RetisEvent[] {
  const reader = EventsFileReader.open(fixture(name), { registry: registry() });
  try {
    return [...reader.events()];
  } finally {
    reader.close();
  }
}

/** The text comments (option 1) and JSON custom options of each packet of a pcap-ng file. */
function pcapComments(path: string): { text: string; json: string }[] {
  const d = readFileSync(path);
  const out: { text: string; json: string }[] = [];
  for (let off = 0; off < d.length; ) {
    const type = d.readUInt32LE(off);
    const len = d.readUInt32LE(off + 4);
    if (type === 6) {
      const cap = d.readUInt32LE(off + 20);
      let o = off + 28 + ((cap + 3) & ~3);
      const entry = { text: '', json: '' };
      while (o < off + len - 4) {
        const code = d.readUInt16LE(o);
        const olen = d.readUInt16LE(o + 2);
        if (code === 0) break;
        const value = d.subarray(o + 4, o + 4 + olen);
        if (code === 1) entry.text = value.toString('utf8');
        // Custom option: 4-byte private enterprise number, then the event JSON.
        if (code === 2988) entry.json = value.subarray(4).toString('utf8');
        o += 4 + ((olen + 3) & ~3);
      }
      out.push(entry);
    }
    off += len;
  }
  return out;
}

const U64_FIELDS = /"(orig_head|timestamp|skb|cookie)":(\d+)/g;

describe('reading the Retis fixtures', () => {
  it.each([
    ['test_events.json', 5],
    ['test_events_bench.json', 5],
    ['test_events_packets.json', 27],
    ['test_events_packets_invalid_ct.json', 17],
  ])('reads every event of %s', (name, count) => {
    const events = readEvents(name);
    expect(events).toHaveLength(count);
    expect(events[0].startup?.retis_version).toBe('v1.6.0');
    // 1.6 files get the 1.7 machine and cmdline defaults.
    expect(events[0].startup?.machine).toEqual({ kernel_release: 'unknown', kernel_version: 'unknown', hardware_name: 'unknown' });
    for (const e of events) expect(typeof e.common?.timestamp).toBe('bigint');
  });

  it('reads the sorted file as series holding the same events plus tracking', () => {
    const reader = EventsFileReader.open(fixture('test_events_sorted.json'), { registry: registry() });
    expect(reader.kind).toBe('series');
    const series: EventSeries[] = [...reader.series()];
    reader.close();
    expect(series.map((s) => s.length)).toEqual([1, 1, 2, 1]);
    const flat = series.flat().map((e) => {
      const { tracking, ...rest } = e;
      if (e.startup === undefined) expect(tracking?.skb).toEqual(e['skb-tracking']);
      return rest;
    });
    expect(flat).toEqual(readEvents('test_events.json'));
    expect(series[2][1].tracking?.idx).toBe(1);
  });

  it('drops the 1.6 flat skb fields the current format does not have', () => {
    const events = readEvents('test_events.json');
    expect(events[1].skb).toEqual({});
    expect(events[4]['skb-drop']).toEqual({ drop_reason: 'NO_SOCKET' });
  });

  it.each(['test_events.json', 'test_events_bench.json', 'test_events_packets.json', 'test_events_packets_invalid_ct.json'])(
    'keeps every u64 of %s exact',
    (name) => {
      const events = readEvents(name);
      lines(name).forEach((line, i) => {
        const e = events[i];
        for (const m of line.matchAll(U64_FIELDS)) {
          const [, field, digits] = m;
          // The field can belong to several sections; one of them must hold the exact value.
          const values = [e['skb-tracking'], e.common, e.netns]
            .filter((s) => s !== undefined)
            .map((s) => (s as unknown as Record<string, unknown>)[field]);
          expect(values).toContain(BigInt(digits));
        }
      });
    },
  );

  it.each(['test_events.json', 'test_events_bench.json', 'test_events_packets.json', 'test_events_packets_invalid_ct.json'])(
    'round-trips every event of %s through JSON text exactly',
    (name) => {
      const reg = registry();
      for (const event of readEvents(name)) {
        const text = reg.eventToJson(event);
        expect(reg.eventFromJson(text)).toEqual(event);
      }
    },
  );

  it('round-trips the series of the sorted file', () => {
    const reg = registry();
    const reader = EventsFileReader.open(fixture('test_events_sorted.json'), { registry: reg });
    for (const series of reader.series()) expect(reg.seriesFromJson(reg.seriesToJson(series))).toEqual(series);
    reader.close();
  });

  it('writes each packets event exactly as Retis wrote it', () => {
    const reg = registry();
    const raw = lines('test_events_packets.json');
    raw.slice(1).forEach((line) => expect(reg.eventToJson(reg.eventFromJson(line, CompatLevel.V1))).toBe(line));
  });

  it("writes each event as Retis 1.7's pcap command serialised it (packet section aside)", () => {
    const reg = registry();
    const events = readEvents('test_events_packets.json').slice(1);
    const comments = pcapComments(fixture('test_events_packets.pcap'));
    expect(comments).toHaveLength(events.length);
    events.forEach((event, i) => {
      const { packet, ...rest } = event;
      expect(packet).toBeDefined();
      expect(reg.eventToJson(rest)).toBe(comments[i].json);
    });
  });
});
