import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EventsFileError, EventsFileReader } from './file-reader';
import { EventsFileWriter } from './file-writer';
import { LineReader } from './line-reader';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { createCoreRegistry as coreRegistry } from './registry';
import { createStartupSection } from './startup';
import type { RetisEvent, StartupSection } from './types';

const createCoreRegistry = () => coreRegistry().registerAll(SKB_TRACKING_SECTIONS);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'retis-events-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const STARTUP: StartupSection = {
  retis_version: 'v1.7.0',
  cmdline: 'retis collect -o out',
  clock_monotonic_offset: { sec: 1742309146n, nsec: 691042000n },
  machine: { kernel_release: '6.18.0', kernel_version: '#1 SMP', hardware_name: 'x86_64' },
};
const START = '{"common":{"timestamp":1},"startup":{"retis_version":"v1.7.0","cmdline":"c","clock_monotonic_offset":{"sec":1,"nsec":2},"machine":{"kernel_release":"r","kernel_version":"v","hardware_name":"h"}}}';

function event(i: number): RetisEvent {
  return {
    common: { timestamp: 1000n + BigInt(i), smp_id: i % 4, task: { pid: 10, tgid: 11, comm: `task-${i}` } },
    kernel: { symbol: 'skb:kfree_skb', probe_type: 'raw_tracepoint' },
    'skb-tracking': { orig_head: 0xffff8e95c3b67c00n + BigInt(i), timestamp: 1000n, skb: 0xffff8e95d3009100n },
  };
}

function readAll(path: string, follow = false, onWarning?: (m: string) => void): RetisEvent[] {
  const reader = EventsFileReader.open(path, { registry: createCoreRegistry(), follow, onWarning });
  try {
    return [...reader.events()];
  } finally {
    reader.close();
  }
}

describe('EventsFileWriter', () => {
  it('writes the startup event first, then one line per event', () => {
    const path = join(dir, 'retis.data');
    const w = new EventsFileWriter(path, { registry: createCoreRegistry(), startup: STARTUP, clock: () => 42n });
    for (let i = 0; i < 3; i++) w.write(event(i));
    expect(w.close()).toBe(0);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    expect(lines[0]).toBe(
      '{"common":{"timestamp":42},"startup":{"retis_version":"v1.7.0","cmdline":"retis collect -o out",' +
        '"clock_monotonic_offset":{"sec":1742309146,"nsec":691042000},' +
        '"machine":{"kernel_release":"6.18.0","kernel_version":"#1 SMP","hardware_name":"x86_64"}}}',
    );
    const back = readAll(path);
    expect(back.slice(1)).toEqual([0, 1, 2].map(event));
    expect(back[0]).toEqual({ common: { timestamp: 42n }, startup: STARTUP });
  });

  it('rotates by size: split files with their own startup events, none over the limit', () => {
    const base = join(dir, 'out');
    const limit = 1200;
    const w = new EventsFileWriter(base, { registry: createCoreRegistry(), startup: STARTUP, rotateSize: limit, bufferSize: 100 });
    for (let i = 0; i < 20; i++) w.write(event(i));
    const files = w.close();
    expect(files).toBeGreaterThan(2);
    expect(existsSync(base)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(Array.from({ length: files }, (_, i) => `out.${i}`).sort());
    let total = 0;
    for (let i = 0; i < files; i++) {
      const path = `${base}.${i}`;
      expect(statSync(path).size).toBeLessThanOrEqual(limit);
      const events = readAll(path);
      expect(events[0].startup?.split_file).toEqual({ id: i, policy: { kind: 'size', limit: BigInt(limit) } });
      expect(events.length).toBeGreaterThan(1);
      total += events.length - 1;
    }
    expect(total).toBe(20);
    // Rotation-aware reading from the first file sees everything, split startups included.
    const all = readAll(`${base}.0`, true);
    expect(all.filter((e) => e.startup === undefined)).toEqual(Array.from({ length: 20 }, (_, i) => event(i)));
    expect(all.filter((e) => e.startup !== undefined)).toHaveLength(files);
    // Following from a later file reads that one and the next ones.
    expect(readAll(`${base}.1`, true).filter((e) => e.startup !== undefined)).toHaveLength(files - 1);
  });

  it('gives a line larger than the limit a file of its own', () => {
    const base = join(dir, 'big');
    const w = new EventsFileWriter(base, { registry: createCoreRegistry(), startup: STARTUP, rotateSize: 300 });
    const big: RetisEvent = { common: { timestamp: 7n, task: { pid: 1, tgid: 1, comm: 'x'.repeat(400) } } };
    w.write(big);
    w.write(event(1));
    expect(w.close()).toBe(2);
    expect(readAll(`${base}.0`).slice(1)).toEqual([big]);
    expect(readAll(`${base}.1`).slice(1)).toEqual([event(1)]);
  });

  it('creates the startup section from this machine', () => {
    const s = createStartupSection({ cmdline: 'retis collect' });
    expect(s.retis_version).toBe('v1.7.0');
    expect(s.machine.kernel_release.length).toBeGreaterThan(0);
    // CLOCK_REALTIME - CLOCK_MONOTONIC: monotonic now + offset is the wall clock.
    const { sec, nsec } = s.clock_monotonic_offset;
    expect(nsec >= 0n && nsec < 1_000_000_000n).toBe(true);
    const wallMs = Number((process.hrtime.bigint() + sec * 1_000_000_000n + nsec) / 1_000_000n);
    expect(Math.abs(wallMs - Date.now())).toBeLessThan(50);
  });
});

describe('EventsFileReader', () => {
  it('reports a corrupt line with its file and line number', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, `${START}\n{"common":{"timestamp":2}}\n{"common":{"timesta\n{"common":{"timestamp":4}}\n`);
    expect(() => readAll(path)).toThrow(EventsFileError);
    expect(() => readAll(path)).toThrow(new RegExp(`^${path}:3: Invalid JSON: `));
  });

  it('skips invalid lines through onInvalidLine, when given', () => {
    const path = join(dir, 'skip.json');
    writeFileSync(path, `${START}\n{"common":{"timestamp":2}}\n{"common":{"timesta\n{"common":{"timestamp":"x"}}\n{"common":{"timestamp":5}}\n`);
    const skipped: string[] = [];
    const reader = EventsFileReader.open(path, { registry: createCoreRegistry(), onInvalidLine: (e) => skipped.push(e.message) });
    expect([...reader.events()].map((e) => e.common?.timestamp)).toEqual([1n, 2n, 5n]);
    reader.close();
    expect(skipped).toEqual([
      expect.stringMatching(new RegExp(`^${path}:3: Invalid JSON: `)),
      `${path}:4: Invalid "common" section: common.timestamp: expected u64, got "x"`,
    ]);
  });

  it('reports an invalid section with its line number', () => {
    const path = join(dir, 'bad-section.json');
    writeFileSync(path, `${START}\n{"common":{"timestamp":"x"}}\n`);
    expect(() => readAll(path)).toThrow(`${path}:2: Invalid "common" section: common.timestamp: expected u64, got "x"`);
  });

  it('treats a cut last line as the end of the file, with a warning', () => {
    const path = join(dir, 'cut.json');
    writeFileSync(path, `${START}\n{"common":{"timestamp":2}}\n{"common":{"times`);
    const warnings: string[] = [];
    expect(readAll(path, false, (m) => warnings.push(m))).toHaveLength(2);
    expect(warnings).toEqual([`${path}:3: incomplete last line ignored`]);
    // Without a warning sink it is an error.
    expect(() => readAll(path)).toThrow(`${path}:3: Invalid JSON`);
  });

  it('skips blank lines and reads a last line without newline', () => {
    const path = join(dir, 'blank.json');
    writeFileSync(path, `\n${START}\n\n  \n{"common":{"timestamp":2}}`);
    expect(readAll(path).map((e) => e.common?.timestamp)).toEqual([1n, 2n]);
  });

  it('refuses empty files, files without a startup version and other JSON', () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    expect(() => readAll(empty)).toThrow(`${empty}: File is empty`);
    const nostart = join(dir, 'nostart.json');
    writeFileSync(nostart, '{"common":{"timestamp":1}}\n');
    expect(() => readAll(nostart)).toThrow(`${nostart}:1: Cannot find version in startup event`);
    const old = join(dir, 'old.json');
    writeFileSync(old, '{"startup":{"retis_version":"v1.4.0"}}\n');
    expect(() => readAll(old)).toThrow(`${old}:1: Unsupported Retis version (1.4.0)`);
    const scalar = join(dir, 'scalar.json');
    writeFileSync(scalar, '42\n');
    expect(() => readAll(scalar)).toThrow(/neither an event nor a series/);
    expect(() => readAll(join(dir, 'missing.json'))).toThrow(/missing.json: Could not open: ENOENT/);
  });

  it('refuses to read events from a sorted file and series from an events file', () => {
    const sorted = join(dir, 'sorted.json');
    writeFileSync(sorted, `[${START}]\n`);
    expect(() => readAll(sorted)).toThrow('Cannot read events from a sorted file');
    const events = join(dir, 'events.json');
    writeFileSync(events, `${START}\n`);
    const reader = EventsFileReader.open(events, { registry: createCoreRegistry() });
    expect(() => [...reader.series()]).toThrow('Cannot read series from an unsorted file');
    reader.close();
  });
});

describe('LineReader', () => {
  it('splits lines across chunk boundaries, multi-byte characters and lines longer than a chunk', () => {
    const path = join(dir, 'lines.txt');
    const long = 'é'.repeat(50);
    writeFileSync(path, `a\n${long}\nbc\n\nlast`);
    const r = new LineReader(path, 8);
    const got: [string, number, boolean][] = [];
    for (let l = r.next(); l !== null; l = r.next()) got.push([l, r.lineNo, r.terminated]);
    r.close();
    expect(got).toEqual([
      ['a', 1, true],
      [long, 2, true],
      ['bc', 3, true],
      ['', 4, true],
      ['last', 5, false],
    ]);
  });
});
