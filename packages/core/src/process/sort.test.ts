import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PassThrough, Writable } from 'stream';
import { EventsFileReader } from '../events/file-reader';
import type { EventSeries, RetisEvent } from '../events/types';
import { OPT_COMMENT } from './pcapng-blocks';
import { optionTexts, readPcapngBlocks } from './pcapng-reader.testutil';
import { ALREADY_SORTED, IN_PLACE_SORT, OLD_FORMAT_OUT, sortEvents, sortEventsFile, type SortOptions } from './sort';
import { bundledRegistry, fixture, kernelEvent, skb } from './sort-support.testutil';

const registry = bundledRegistry();
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'retis-sort-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readAll(path: string): { kind: string; events?: RetisEvent[]; series?: EventSeries[] } {
  const reader = EventsFileReader.open(path, { registry });
  try {
    return reader.kind === 'series' ? { kind: 'series', series: [...reader.series()] } : { kind: 'events', events: [...reader.events()] };
  } finally {
    reader.close();
  }
}

async function sortText(path: string, opts: Partial<SortOptions> = {}): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await sortEventsFile(path, { registry, print: out, ...opts });
  return text;
}

/** An events file in the current (1.7) format holding these events after a startup event. */
function eventsFile(name: string, events: RetisEvent[]): string {
  const startup: RetisEvent = {
    common: { timestamp: 1n },
    startup: {
      retis_version: 'v1.7.0', cmdline: 'retis collect -o', clock_monotonic_offset: { sec: 1700000000n, nsec: 0n },
      machine: { kernel_release: '6.18.0', kernel_version: '#1 SMP', hardware_name: 'x86_64' },
    },
  };
  const path = join(tmp, name);
  writeFileSync(path, [startup, ...events].map((e) => registry.eventToJson(e) + '\n').join(''));
  return path;
}

describe('sorting Retis\'s test_events.json', () => {
  it('gives the series of Retis\'s own test_events_sorted.json, value for value', () => {
    const input = readAll(fixture('test_events.json')).events as RetisEvent[];
    const expected = readAll(fixture('test_events_sorted.json'));
    expect(expected.kind).toBe('series');
    const got = [...sortEvents(input)];
    // Four series: the startup event alone, then three packets (one of two events).
    expect(got.map((s) => s.length)).toEqual([1, 1, 2, 1]);
    expect(got).toEqual(expected.series);
    // u64 values stay exact (above 2^53).
    expect(got[2][1].tracking?.skb.orig_head).toBe(18446616576100907520n);
  });

  it('refuses to store series of a file older than 1.7, and creates no file', async () => {
    const out = join(tmp, 'old.sorted');
    await expect(sortEventsFile(fixture('test_events.json'), { registry, outPath: out })).rejects.toThrow(OLD_FORMAT_OUT);
    expect(existsSync(out)).toBe(false);
  });

  it('stores series that read back as Retis\'s sorted file (the same input in the 1.7 format)', async () => {
    // The fixture is a 1.6 file: convert it as our reader sees it, with a 1.7 version.
    const events = readAll(fixture('test_events.json')).events as RetisEvent[];
    events[0].startup!.retis_version = 'v1.7.0';
    const input = join(tmp, 'test_events_1.7.json');
    writeFileSync(input, events.map((e) => registry.eventToJson(e) + '\n').join(''));
    const out = join(tmp, 'test_events_1.7.sorted');
    const summary = await sortEventsFile(input, { registry, outPath: out });
    expect(summary).toEqual({ alreadySorted: false, series: 4, events: 5 });

    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.every((l) => l.startsWith('[{') && l.endsWith('}]'))).toBe(true);
    const ours = readAll(out);
    const retis = readAll(fixture('test_events_sorted.json'));
    retis.series![0][0].startup!.retis_version = 'v1.7.0';
    expect(ours.kind).toBe('series');
    expect(ours.series).toEqual(retis.series);
  });

  it('says the file is already sorted and does nothing', async () => {
    const info: string[] = [];
    const out = join(tmp, 'again.sorted');
    const summary = await sortEventsFile(fixture('test_events_sorted.json'), { registry, outPath: out, onInfo: (m) => info.push(m) });
    expect(summary.alreadySorted).toBe(true);
    expect(info).toEqual([ALREADY_SORTED]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('refusals', () => {
  it('does not sort a file into itself, under any name', async () => {
    const input = eventsFile('inplace.json', [kernelEvent(10n, 'ip_rcv', { tracking: skb(10n, 1n) })]);
    const before = readFileSync(input, 'utf8');
    await expect(sortEventsFile(input, { registry, outPath: input })).rejects.toThrow(IN_PLACE_SORT);
    const other = join(tmp, 'inplace-link.json');
    linkSync(input, other);
    await expect(sortEventsFile(input, { registry, outPath: other })).rejects.toThrow(IN_PLACE_SORT);
    expect(readFileSync(input, 'utf8')).toBe(before);
  });

  it('does not sort into one of the split files it is about to read', async () => {
    const split = (id: number): RetisEvent => ({
      common: { timestamp: BigInt(id + 1) },
      startup: {
        retis_version: 'v1.7.0', cmdline: 'retis collect -o --out-rotate 1MB', clock_monotonic_offset: { sec: 0n, nsec: 0n },
        machine: { kernel_release: 'r', kernel_version: 'v', hardware_name: 'x86_64' },
        split_file: { id, policy: { kind: 'size', limit: 1000000n } },
      },
    });
    const base = join(tmp, 'rotated.data');
    for (const id of [0, 1, 2]) writeFileSync(`${base}.${id}`, registry.eventToJson(split(id)) + '\n');
    await expect(sortEventsFile(`${base}.0`, { registry, outPath: `${base}.2`, follow: true })).rejects.toThrow(IN_PLACE_SORT);
    // Without following, the other split files are not input.
    await expect(sortEventsFile(`${base}.0`, { registry, outPath: `${base}.2` })).resolves.toMatchObject({ series: 1 });
  });

  it('rejects a negative buffer size', async () => {
    await expect(sortEventsFile(fixture('test_events.json'), { registry, maxBuffer: -1 })).rejects.toThrow(RangeError);
  });
});

describe('the buffer bound', () => {
  // Packet A has events at both ends of the file; B and C in between.
  const A = skb(100n, 0xa00n);
  const B = skb(200n, 0xb00n);
  const C = skb(300n, 0xc00n);
  const file = () => eventsFile('spread.json', [
    kernelEvent(100n, 'net:netif_receive_skb', { tracking: A }),
    kernelEvent(200n, 'net:netif_receive_skb', { tracking: B }),
    kernelEvent(300n, 'net:netif_receive_skb', { tracking: C }),
    kernelEvent(310n, 'ip_rcv', { tracking: C }),
    kernelEvent(400n, 'skb:kfree_skb', { tracking: A }),
  ]);
  const shape = (series: EventSeries[]) => series.map((s) => s.map((e) => `${e.common?.timestamp}#${e.tracking?.idx ?? '-'}`));

  it('without limit, keeps each packet in one series', async () => {
    const out = join(tmp, 'spread-all.sorted');
    await sortEventsFile(file(), { registry, outPath: out, maxBuffer: 0 });
    expect(shape(readAll(out).series!)).toEqual([['1#-'], ['100#0', '400#1'], ['200#0'], ['300#0', '310#1']]);
  });

  it('with a small buffer, writes the oldest series early and splits the late packet', async () => {
    const out = join(tmp, 'spread-2.sorted');
    const summary = await sortEventsFile(file(), { registry, outPath: out, maxBuffer: 2 });
    // The buffer holds 2 events: A goes out before its last event is read,
    // which then forms a series of its own (its idx keeps counting).
    expect(shape(readAll(out).series!)).toEqual([['1#-'], ['100#0'], ['200#0'], ['300#0', '310#1'], ['400#1']]);
    expect(summary.series).toBe(5);
  });
});

describe('the startup event', () => {
  it('comes out first even when a packet was first seen before it', async () => {
    // Tracking state older than the file (its timestamp is below the startup event's).
    const input = eventsFile('early.json', [kernelEvent(50n, 'ip_rcv', { tracking: skb(0n, 1n) })]);
    const out = join(tmp, 'early.sorted');
    await sortEventsFile(input, { registry, outPath: out, maxBuffer: 0 });
    const series = readAll(out).series!;
    expect(series.map((s) => s.map((e) => (e.startup !== undefined ? 'startup' : String(e.common?.timestamp))))).toEqual([['startup'], ['50']]);
  });
});

describe('console text', () => {
  /** Retis's own text of each event of test_events_packets.json, from the pcap-ng it wrote (comments). */
  function retisTexts(): Map<string, string> {
    const texts = new Map<string, string>();
    for (const b of readPcapngBlocks(readFileSync(fixture('test_events_packets.pcap')))) {
      if (b.kind !== 'packet') continue;
      const [text] = optionTexts(b.options, OPT_COMMENT);
      texts.set(text.slice(0, text.indexOf(' ')), text);
    }
    return texts;
  }

  /** §4.3 applied to Retis's event text: ` n idx` after the skb, `↳` and +4 for the followers. */
  function seriesText(eventTexts: string[]): string {
    return eventTexts.map((text, idx) => {
      const [first, ...rest] = text.split('\n');
      const head = first.replace(/(\(skb [0-9a-f]+\))/, `$1 n ${idx}`);
      if (idx === 0) return [head, ...rest].join('\n') + '\n';
      return ['  ↳ ' + head, ...rest.map((l) => '    ' + l)].join('\n') + '\n';
    }).join('') + '\n';
  }

  it('renders each packet as Retis would: the series of test_events_packets.json', async () => {
    const text = await sortText(fixture('test_events_packets.json'));
    const blocks = text.split(/\n\n(?=\S)/);
    // The startup event, then 2 pings * (request, reply) * (before and after ovs-vswitchd)... as grouped by tracking.
    expect(blocks[0]).toBe('30415793489711\n  collected with Retis v1.6.0\n  on machine unknown unknown unknown\n  cmdline unknown');
    const retis = retisTexts();
    const events = (readAll(fixture('test_events_packets.json')).events as RetisEvent[]).slice(1);
    const series = [...sortEvents(events)];
    expect(series.length).toBe(blocks.length - 1);
    series.forEach((s, i) => {
      const expected = seriesText(s.map((e) => retis.get(String(e.common?.timestamp)) as string));
      expect(blocks[i + 1] + (i + 1 < blocks.length - 1 ? '\n\n' : '')).toBe(expected);
    });
    // Every event of the file appears once.
    expect(series.flat().length).toBe(26);
  });

  it('prints one line per event in single-line mode, followers marked', async () => {
    const text = await sortText(fixture('test_events.json'), { multiLine: false });
    const lines = text.split('\n');
    expect(lines).toEqual([
      '23868643385852 collected with Retis v1.6.0 on machine unknown unknown unknown cmdline unknown',
      '',
      '23868643385999 (0) [napi/phy0-8197] 1360 [k] tcp_v4_rcv #15b55a02a28fffff8c08d4fed800 (skb ffff8c03b1dc0500) n 0',
      '',
      '23868955262984 (2) [napi/phy0-8197] 1360 [tp] openvswitch:ovs_dp_upcall #15b56c998008ffff8c0aa653ba00 (skb ffff8c03aa978a00) n 0 upcall (miss) port 3366920467 cpu 1',
      '  ↳ 23868955276361 (3) [napi/phy0-8197] 1360 [kr] ovs_dp_upcall #15b56c998008ffff8c0aa653ba00 (skb ffff8c03aa978a00) n 1 upcall_ret (1/23868955262984) ret 0',
      '',
      '23868955449721 (0) [napi/phy0-8197] 1360 [tp] skb:kfree_skb #15b56c9c2a04ffff8c0a75bdb400 (skb ffff8c0527c39200) n 0 drop (reason NO_SOCKET)',
      '',
      '',
    ]);
  });

  it('prints and stores at once', async () => {
    const out = join(tmp, 'both.sorted');
    const input = eventsFile('both.json', [kernelEvent(10n, 'ip_rcv', { tracking: skb(10n, 1n) })]);
    const printed = await sortText(input, { outPath: out });
    expect(printed).toContain('10 (1) [ping] 42 [k] ip_rcv #a0000000000000001 (skb 101) n 0\n\n');
    expect(readAll(out).series!.map((series) => series.length)).toEqual([1, 1]);
  });

  it('stops quietly when the reader of the text goes away', async () => {
    const input = eventsFile('many.json', Array.from({ length: 3000 }, (_, i) =>
      kernelEvent(BigInt(10 + i), 'ip_rcv', { tracking: skb(BigInt(10 + i), BigInt(i + 1)) })));
    let writes = 0;
    const closing = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(e);
      },
    });
    const summary = await sortEventsFile(input, { registry, print: closing });
    expect(writes).toBe(1);
    expect(summary.series).toBeLessThan(3001);
  });
});
