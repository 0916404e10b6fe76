import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PassThrough, Writable } from 'stream';
import { DEV_SECTIONS } from '../../../collector-dev/src/sections';
import { NS_SECTIONS } from '../../../collector-ns/src/sections';
import { SKB_SECTIONS } from '../../../collector-skb/src/sections';
import { SKB_DROP_SECTIONS } from '../../../collector-skb-drop/src/sections';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { formatEvent } from '../display/event-text';
import { EventsFileReader } from '../events/file-reader';
import { createCoreRegistry } from '../events/registry';
import { type PrintOptions, printEventsFile } from './print';

const FIXTURES = join(__dirname, '../../../../test/fixtures/retis-1.7');
const registry = createCoreRegistry()
  .registerAll(SKB_TRACKING_SECTIONS)
  .registerAll(SKB_DROP_SECTIONS)
  .registerAll(SKB_SECTIONS)
  .registerAll(DEV_SECTIONS)
  .registerAll(NS_SECTIONS);

async function print(name: string, opts: Partial<PrintOptions> = {}): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await printEventsFile(join(FIXTURES, name), out, { registry, ...opts });
  return text;
}

describe('printEventsFile', () => {
  it('prints every event followed by a blank line', async () => {
    const text = await print('test_events_packets.json');
    const reader = EventsFileReader.open(join(FIXTURES, 'test_events_packets.json'), { registry });
    const events = [...reader.events()];
    reader.close();
    const blocks = text.split('\n\n');
    expect(blocks.pop()).toBe('');
    expect(blocks).toHaveLength(events.length);
    // Each block starts with the event's timestamp and names its probe.
    blocks.forEach((b, i) => {
      expect(b.startsWith(String(events[i].common?.timestamp))).toBe(true);
      if (events[i].kernel !== undefined) expect(b.split('\n')[0]).toContain(` ${events[i].kernel?.symbol}`);
    });
    expect(blocks[0]).toBe('30415793489711\n  collected with Retis v1.6.0\n  on machine unknown unknown unknown\n  cmdline unknown');
  });

  it('prints one line per event in single-line mode', async () => {
    const text = await print('test_events.json', { multiLine: false });
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/^23868955449721 \(0\) \[napi\/phy0-8197\] 1360 \[tp\] skb:kfree_skb #\S+ \(skb \S+\) drop \(reason NO_SOCKET\)$/);
  });

  it('prints UTC dates with the offset of the startup event', async () => {
    const text = await print('test_events.json', { utc: true, multiLine: false });
    // offset 1742309146 s + 691042000 ns; first event at 23868643385999 ns of CLOCK_MONOTONIC.
    const ns = 23868643385999n + 1742309146n * 1_000_000_000n + 691042000n;
    const iso = new Date(Number(ns / 1_000_000n)).toISOString();
    const micros = String((ns / 1000n) % 1_000_000n).padStart(6, '0');
    expect(text.split('\n')[1].startsWith(`${iso.slice(0, 10)} ${iso.slice(11, 19)}.${micros} (0)`)).toBe(true);
  });

  it('prints a sorted file series by series', async () => {
    const text = await print('test_events_sorted.json');
    const series = text.split('\n\n');
    expect(series.pop()).toBe('');
    expect(series).toHaveLength(4);
    expect(series[2].split('\n')).toHaveLength(2);
    expect(series[2].split('\n')[1]).toMatch(/^ {2}↳ 23868955276361 \(3\) \[napi\/phy0-8197\] 1360 \[kr\] ovs_dp_upcall #\S+ \(skb \S+\) n 1$/);
  });

  it('stops quietly when the reader goes away (EPIPE)', async () => {
    let writes = 0;
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, cb) {
        writes++;
        const e: NodeJS.ErrnoException = new Error('write EPIPE');
        e.code = 'EPIPE';
        cb(e);
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'retis-print-'));
    try {
      // Enough events to need several writes.
      const startup = '{"common":{"timestamp":1},"startup":{"retis_version":"v1.7.0","cmdline":"c","clock_monotonic_offset":{"sec":0,"nsec":0},"machine":{"kernel_release":"r","kernel_version":"v","hardware_name":"h"}}}';
      const lines = [startup];
      for (let i = 0; i < 5000; i++) lines.push(`{"common":{"timestamp":${i + 2}},"kernel":{"symbol":"skb:kfree_skb","probe_type":"raw_tracepoint"}}`);
      const path = join(dir, 'many.json');
      writeFileSync(path, lines.join('\n') + '\n');
      await expect(printEventsFile(path, out, { registry })).resolves.toBeUndefined();
      expect(writes).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends quietly when piped into a process that exits early', async () => {
    const head = spawn('head', ['-n', '2'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let got = '';
    head.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const exited = new Promise((resolve) => head.on('close', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'retis-print-'));
    try {
      const startup = '{"common":{"timestamp":1},"startup":{"retis_version":"v1.7.0","cmdline":"c","clock_monotonic_offset":{"sec":0,"nsec":0},"machine":{"kernel_release":"r","kernel_version":"v","hardware_name":"h"}}}';
      const lines = [startup];
      for (let i = 0; i < 50000; i++) lines.push(`{"common":{"timestamp":${i + 2},"smp_id":1},"kernel":{"symbol":"net:netif_receive_skb","probe_type":"raw_tracepoint"}}`);
      const path = join(dir, 'many.json');
      writeFileSync(path, lines.join('\n') + '\n');
      await expect(printEventsFile(path, head.stdin, { registry, multiLine: false })).resolves.toBeUndefined();
      await exited;
      expect(got).toBe(`1 collected with Retis v1.7.0 on machine r v h cmdline c\n2 (1) [tp] net:netif_receive_skb\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a corrupt line after printing the events before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retis-print-'));
    try {
      const path = join(dir, 'bad.json');
      writeFileSync(
        path,
        '{"common":{"timestamp":1},"startup":{"retis_version":"v1.7.0","cmdline":"c","clock_monotonic_offset":{"sec":0,"nsec":0},"machine":{"kernel_release":"r","kernel_version":"v","hardware_name":"h"}}}\n' +
          '{"common":{"timestamp":2}}\n{"common":\n',
      );
      const out = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      await expect(printEventsFile(path, out, { registry, multiLine: false })).rejects.toThrow(`${path}:3: Invalid JSON`);
      expect(text).toBe('1 collected with Retis v1.7.0 on machine r v h cmdline c\n2\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints with the formatter of every section (single event API)', () => {
    const e = { common: { timestamp: 3n }, dev: { name: 'eth0', ifindex: 2 } };
    expect(formatEvent(e, registry, { multiLine: true, utc: false, linkLayer: false })).toBe('3\n  if 2 (eth0)');
  });
});
