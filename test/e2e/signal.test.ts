/**
 * Ctrl-C and SIGTERM: the collection stops, every event read so far is in
 * the file, nothing stays loaded, and the exit status is 0.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, inNs, type NsPair } from './helpers/netns';
import { expectExit0, loadedProgramNames, startRetis } from './helpers/retis';
import { readEvents } from './helpers/events';

jest.setTimeout(120_000);

let pair: NsPair;
let tmp: string;

beforeAll(() => {
  pair = createNsPair('sig');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-sig-'));
});

afterAll(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test.each(['SIGINT', 'SIGTERM'] as const)('%s flushes, detaches and exits 0', async (signal) => {
  const out = path.join(tmp, `${signal}.data`);
  const retis = startRetis(['collect', '-c', 'skb,dev', '-p', 'tp:net:netif_receive_skb', '-o', out]);
  await retis.ready;
  expect(loadedProgramNames().some((n) => n.startsWith('probe_'))).toBe(true);
  inNs(pair.a, 'ping', ['-c', '3', '-i', '0.05', pair.addrB]);
  const r = await retis.stop(signal);
  expectExit0(r);
  expect(r.stderr).toContain('Received signal, terminating...');
  const processed = Number(/(\d+) event\(s\) processed/.exec(r.stderr)?.[1]);
  const events = readEvents(out);
  // Everything counted was written, and the pings are among it.
  expect(events.length - 1).toBe(processed);
  expect(events.filter((e) => e.dev?.name === pair.vethB).length).toBeGreaterThanOrEqual(3);
  expect(loadedProgramNames().filter((n) => n.startsWith('probe_'))).toEqual([]);
});
