/**
 * `retis print` and `retis stats` on files written by Retis itself: every
 * file reads without error and the text carries the values the files hold
 * (computed here from the JSON, not from our output).
 */
import * as path from 'path';
import { readEvents } from './helpers/events';
import { expectExit0, ROOT, runRetis } from './helpers/retis';

const FIXTURES = path.resolve(ROOT, 'test/fixtures/retis-1.7');
const fixture = (f: string) => path.join(FIXTURES, f);

test.each(['test_events.json', 'test_events_packets.json', 'test_events_sorted.json', 'test_events_bench.json'])(
  'print %s', (file) => {
    const r = runRetis(['print', fixture(file)]);
    expect(r.stderr).toBe('');
    expectExit0(r);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

test('printed lines carry the file values', () => {
  const file = fixture('test_events_packets.json');
  const events = readEvents(file).filter((e) => e.kernel);
  const out = runRetis(['print', '--format', 'single-line', file]).stdout.split('\n');
  for (const e of events) {
    const line = out.find((l) => l.startsWith(`${e.common.timestamp} `));
    expect(line).toBeDefined();
    const kind = { raw_tracepoint: 'tp', kprobe: 'k', kretprobe: 'kr' }[e.kernel.probe_type as string];
    expect(line).toContain(`[${kind}] ${e.kernel.symbol}`);
    expect(line).toContain(`[${e.common.task.comm}]`);
    const t = e['skb-tracking'];
    if (t) expect(line).toContain(`#${((BigInt(t.timestamp) << 64n) | BigInt(t.orig_head)).toString(16)} (skb ${BigInt(t.skb).toString(16)})`);
    if (e.dev) expect(line).toContain(`if ${e.dev.ifindex} (${e.dev.name})`);
    if (e.netns) expect(line).toContain(`/${e.netns.inum}`);
  }
});

test('stats counts events per probe', () => {
  const file = fixture('test_events_packets.json');
  const events = readEvents(file).filter((e) => e.kernel);
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.kernel.probe_type}/${e.kernel.symbol}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const r = runRetis(['stats', file]);
  expectExit0(r);
  expect(r.stdout).toContain(`Number of events: ${events.length}`);
  for (const [key, n] of counts) expect(r.stdout).toContain(`  ${key}: ${n}\n`);
});
