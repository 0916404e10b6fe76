/**
 * `retis collect` end to end: real BPF programs, real packets between two
 * network namespaces, and the events read back from the file and the console.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, nsInode, type NsPair } from './helpers/netns';
import { expectExit0, loadedProgramNames, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';

jest.setTimeout(120_000);

let pair: NsPair;
let tmp: string;

beforeAll(() => {
  pair = createNsPair('col');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-e2e-'));
});

afterAll(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

afterEach(() => {
  // Whatever a run did, nothing of ours stays loaded in the kernel.
  expect(loadedProgramNames().filter((n) => n.startsWith('probe_'))).toEqual([]);
});

const inA = (cmd: string) => `ip netns exec ${pair.a} ${cmd}`;

test('a TCP SYN to a closed port is reported as dropped with NO_SOCKET', () => {
  const out = path.join(tmp, 'syn.data');
  const port = 9;
  const r = runRetis(['collect', '-c', 'skb-drop,skb,dev', '-o', out,
    '--cmd', inA(`bash -c 'echo > /dev/tcp/${pair.addrB}/${port}' 2>/dev/null; true`)]);
  expect(r.stderr).toMatch(/\d+ probe\(s\) loaded/);
  expectExit0(r);

  const events = readEvents(out);
  expect(events[0].startup.retis_version).toMatch(/^v1\.7\.0/);
  const drops = events.filter((e) => e['skb-drop'] && e.dev?.name === pair.vethB);
  const syn = drops.map((e) => ({ e, p: decodePacket(e.packet.data) }))
    .find(({ p }) => p.proto === 6 && p.dport === port && (p.tcpFlags! & 0x12) === 0x02);
  expect(syn).toBeDefined();
  const { e, p } = syn!;
  expect(e['skb-drop'].drop_reason).toBe('NO_SOCKET');
  expect(e.kernel).toEqual({ symbol: 'skb:kfree_skb', probe_type: 'raw_tracepoint' });
  expect(e.dev.ifindex).toBe(pair.ifindexB);
  expect(p.src).toBe(pair.addrA);
  expect(p.dst).toBe(pair.addrB);
  expect(e.packet.len).toBeGreaterThanOrEqual(e.packet.capture_len);
});

test('a ping seen at netif_receive_skb prints in the reference format', () => {
  const out = path.join(tmp, 'ping.data');
  const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev,ns', '-p', 'tp:net:netif_receive_skb', '-o', out,
    '--cmd', inA(`ping -c 1 -W 2 ${pair.addrB}`)]);
  expectExit0(r);

  // What was sent, from the file (bytes decoded here), to check the text against.
  const events = readEvents(out).filter((e) => e.dev?.name === pair.vethB);
  const request = events.find((e) => decodePacket(e.packet.data).icmpType === 8);
  expect(request).toBeDefined();
  const sent = decodePacket(request!.packet.data);
  expect(sent.src).toBe(pair.addrA);

  const printed = runRetis(['print', out]);
  expectExit0(printed);
  const blocks = printed.stdout.split('\n\n').filter(Boolean);
  const ts = String(request!.common.timestamp);
  const block = blocks.find((b) => b.startsWith(`${ts} `));
  expect(block).toBeDefined();
  const lines = block!.split('\n');
  const t = request!['skb-tracking'];
  const id = ((BigInt(t.timestamp) << 64n) | BigInt(t.orig_head)).toString(16);
  const comm = request!.common.task.comm;
  expect(lines[0]).toMatch(new RegExp(
    `^${ts} \\(\\d+\\) \\[${comm.replace(/[[\]()]/g, '\\$&')}\\] (\\d+/)?\\d+ \\[tp\\] net:netif_receive_skb #${id} \\(skb ${BigInt(t.skb).toString(16)}\\)$`));
  expect(lines[1]).toBe(`  ${sent.src} > ${sent.dst} tos 0x0 ttl ${sent.ttl} id ${sent.ipId} off 0 [DF] len ${sent.totalLen} proto ICMP (1) type 8 code 0`);
  const inum = nsInode(pair.b);
  expect(lines[2]).toMatch(new RegExp(`^  ns 0x[0-9a-f]+/${inum} if ${pair.ifindexB} \\(${pair.vethB}\\)( rxif ${pair.ifindexB})?$`));
});

test('--stop-after stops after exactly that many events', () => {
  const out = path.join(tmp, 'stop.data');
  const r = runRetis(['collect', '-c', 'skb,dev', '-p', 'tp:net:netif_receive_skb', '--stop-after', '2', '-o', out,
    '--cmd', inA(`ping -c 20 -i 0.05 ${pair.addrB}`)]);
  expectExit0(r);
  expect(r.stderr).toContain('Reached stop count (2), terminating...');
  expect(r.stderr).toContain('2 event(s) processed');
  const events = readEvents(out);
  expect(events[0].startup).toBeDefined();
  expect(events.slice(1)).toHaveLength(2);
  expect(events.slice(1).every((e: Json) => e.kernel.symbol === 'net:netif_receive_skb')).toBe(true);
});

test('--cmd ends the collection when the command exits', () => {
  const started = Date.now();
  const r = runRetis(['collect', '-c', 'skb', '-p', 'tp:net:netif_receive_skb', '-o', path.join(tmp, 'cmd.data'),
    '--cmd', 'sleep 1']);
  expectExit0(r);
  expect(r.stderr).toContain('Command returned (exit status: 0), terminating ...');
  expect(Date.now() - started).toBeLessThan(30_000);
});

test('the default run: both default probes, every collector, events on the console', () => {
  const r = runRetis(['collect', '--format', 'single-line', '--cmd', inA(`ping -c 2 -i 0.1 ${pair.addrB}`)]);
  expectExit0(r);
  expect(r.stderr).toContain('No probe(s) given: using tp:net:netif_receive_skb, tp:net:net_dev_start_xmit');
  expect(r.stderr).toMatch(/Collector\(s\) started: skb-tracking, skb, skb-drop, ct, dev, ns/);
  const lines = r.stdout.split('\n').filter((l) => l.includes(`(${pair.vethA})`) || l.includes(`(${pair.vethB})`));
  // Requests leave through vethA and arrive on vethB; replies go the other way.
  expect(lines.some((l) => l.includes('[tp] net:net_dev_start_xmit') && l.includes(`${pair.addrA} > ${pair.addrB}`) && l.includes(`(${pair.vethA})`))).toBe(true);
  expect(lines.some((l) => l.includes('[tp] net:netif_receive_skb') && l.includes(`${pair.addrA} > ${pair.addrB}`) && l.includes(`(${pair.vethB})`))).toBe(true);
  expect(lines.some((l) => l.includes('[tp] net:netif_receive_skb') && l.includes(`${pair.addrB} > ${pair.addrA}`) && l.includes(`(${pair.vethA})`))).toBe(true);
});

test('--print with -o writes the file and the console; --utc prints dates', () => {
  const out = path.join(tmp, 'print.data');
  const r = runRetis(['collect', '-c', 'skb,dev', '-p', 'tp:net:netif_receive_skb', '-o', out, '--print', '--utc',
    '--cmd', inA(`ping -c 1 ${pair.addrB}`)]);
  expectExit0(r);
  const fileEvents = readEvents(out).filter((e) => e.dev?.name === pair.vethB);
  expect(fileEvents.length).toBeGreaterThan(0);
  const year = new Date().getUTCFullYear();
  const printed = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} /.test(l));
  expect(printed.length).toBeGreaterThanOrEqual(fileEvents.length);
  expect(printed.every((l) => l.startsWith(String(year)) || l.startsWith(String(year - 1)))).toBe(true);
});
