import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PassThrough } from 'stream';
import { DEV_SECTIONS } from '../../../collector-dev/src/sections';
import { NS_SECTIONS } from '../../../collector-ns/src/sections';
import { SKB_SECTIONS } from '../../../collector-skb/src/sections';
import { SKB_DROP_SECTIONS } from '../../../collector-skb-drop/src/sections';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { EventsFileWriter } from '../events/file-writer';
import { createCoreRegistry } from '../events/registry';
import type { StartupSection } from '../events/types';
import { collectStats, printStats } from './stats';

const FIXTURES = join(__dirname, '../../../../test/fixtures/retis-1.7');
const registry = createCoreRegistry()
  .registerAll(SKB_TRACKING_SECTIONS)
  .registerAll(SKB_DROP_SECTIONS)
  .registerAll(SKB_SECTIONS)
  .registerAll(DEV_SECTIONS)
  .registerAll(NS_SECTIONS);

interface Raw {
  common?: { timestamp: number };
  kernel?: { probe_type: string; symbol: string };
  startup?: { retis_version: string; clock_monotonic_offset: { sec: number; nsec: number } };
}

/** UTC text of a monotonic timestamp, computed here with Date. */
function utc(ts: number, offset: { sec: number; nsec: number }): string {
  const ns = BigInt(ts) + BigInt(offset.sec) * 1_000_000_000n + BigInt(offset.nsec);
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String((ns / 1000n) % 1_000_000n).padStart(6, '0')}`;
}

/** The stats text for a one-segment events file, computed from the raw lines. */
function expectedStats(name: string, sorted: boolean): string {
  const rows = readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Raw | Raw[]);
  const series = rows.map((r) => (Array.isArray(r) ? r : [r]));
  const events = series.flat();
  const startup = events[0].startup!;
  const others = events.filter((e) => e.startup === undefined);
  const counts = new Map<string, number>();
  for (const e of others) {
    const name = `${e.kernel!.probe_type}/${e.kernel!.symbol}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const ts = others.map((e) => e.common!.timestamp);
  let text = `Retis version: ${startup.retis_version}\nRetis cmdline: unknown\n`;
  if (sorted) text += `Number of series: ${series.filter((s) => s.some((e) => e.startup === undefined)).length}\n`;
  text += `Number of events: ${others.length}\n`;
  text += `First event at: ${utc(Math.min(...ts), startup.clock_monotonic_offset)}\n`;
  text += `Last event at: ${utc(Math.max(...ts), startup.clock_monotonic_offset)}\nProbes:\n`;
  const sortedProbes = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [probe, n] of sortedProbes) text += `  ${probe}: ${n}\n`;
  return text;
}

async function stats(path: string, warnings: string[] = []): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await printStats(path, out, { registry, onWarning: (m) => warnings.push(m) });
  return text;
}

describe('stats', () => {
  it.each([
    ['test_events.json', false],
    ['test_events_bench.json', false],
    ['test_events_packets.json', false],
    ['test_events_packets_invalid_ct.json', false],
    ['test_events_sorted.json', true],
  ])('counts the events and probes of %s', async (name, sorted) => {
    expect(await stats(join(FIXTURES, name))).toBe(expectedStats(name, sorted));
  });

  it('gives each split file its own block', () => {
    const dir = mkdtempSync(join(tmpdir(), 'retis-stats-'));
    try {
      const startup: StartupSection = {
        retis_version: 'v1.7.0',
        cmdline: 'retis collect --out-rotate',
        clock_monotonic_offset: { sec: 0n, nsec: 0n },
        machine: { kernel_release: 'r', kernel_version: 'v', hardware_name: 'h' },
      };
      const base = join(dir, 'retis.data');
      const w = new EventsFileWriter(base, { registry, startup, rotateSize: 700 });
      for (let i = 0; i < 12; i++) {
        w.write({
          common: { timestamp: 1_000_000_000n * BigInt(i + 1) },
          kernel: { symbol: i % 3 === 0 ? 'skb:kfree_skb' : 'net:netif_receive_skb', probe_type: 'raw_tracepoint' },
        });
      }
      const files = w.close();
      expect(files).toBeGreaterThan(1);
      const segments = collectStats(`${base}.0`, { registry, follow: true });
      expect(segments).toHaveLength(files);
      expect(segments.reduce((n, s) => n + s.events, 0)).toBe(12);
      expect(segments.map((s) => s.startup?.split_file?.id)).toEqual([...Array(files).keys()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the version and cmdline only for split index 0, and a split index for each block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retis-stats-'));
    try {
      const startup: StartupSection = {
        retis_version: 'v1.7.0',
        cmdline: 'retis collect',
        clock_monotonic_offset: { sec: 0n, nsec: 0n },
        machine: { kernel_release: 'r', kernel_version: 'v', hardware_name: 'h' },
      };
      const base = join(dir, 'out');
      const w = new EventsFileWriter(base, { registry, startup, rotateSize: 400 });
      w.write({ common: { timestamp: 2_000_000_000n }, kernel: { symbol: 'a', probe_type: 'kprobe' } });
      w.write({ common: { timestamp: 3_000_000_000n }, kernel: { symbol: 'b', probe_type: 'kprobe' } });
      expect(w.close()).toBe(2);
      expect(await stats(`${base}.0`)).toBe(
        'Retis version: v1.7.0\nRetis cmdline: retis collect\n\nSplit index: 0\nNumber of events: 1\n' +
          'First event at: 1970-01-01 00:00:02.000000\nLast event at: 1970-01-01 00:00:02.000000\nProbes:\n  kprobe/a: 1\n',
      );
      const warnings: string[] = [];
      const both = collectStats(`${base}.0`, { registry, follow: true });
      expect(both.map((s) => s.events)).toEqual([1, 1]);
      expect(await stats(`${base}.1`, warnings)).toBe(
        '\nSplit index: 1\nNumber of events: 1\n' +
          'First event at: 1970-01-01 00:00:03.000000\nLast event at: 1970-01-01 00:00:03.000000\nProbes:\n  kprobe/b: 1\n',
      );
      expect(warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns about events without common or probe sections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retis-stats-'));
    try {
      const startup: StartupSection = {
        retis_version: 'v1.7.0',
        cmdline: 'c',
        clock_monotonic_offset: { sec: 0n, nsec: 0n },
        machine: { kernel_release: 'r', kernel_version: 'v', hardware_name: 'h' },
      };
      const path = join(dir, 'x.json');
      const w = new EventsFileWriter(path, { registry, startup });
      w.write({ common: { timestamp: 5n } });
      w.write({ dev: { name: 'eth0', ifindex: 1 } });
      w.close();
      const warnings: string[] = [];
      const text = await stats(path, warnings);
      expect(text).toContain('Number of events: 2\n');
      expect(warnings).toEqual(['1 event(s) without a common section', '2 event(s) without a kernel or userspace section']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
