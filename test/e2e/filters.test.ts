/**
 * Packet (-f) and meta (-m) filters run in the kernel: only matching
 * packets are reported, and the non-matching ones sent alongside are not.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, inNs, nsInode, sh, type NsPair } from './helpers/netns';
import { expectExit0, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';

jest.setTimeout(120_000);

let pair: NsPair;
let tmp: string;

beforeAll(() => {
  pair = createNsPair('flt');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-flt-'));
});

afterAll(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Pings and a TCP SYN from a to b, plus the ARP exchange before them. */
const TRAFFIC = () =>
  `ip netns exec ${pair.a} sh -c "ip neigh flush dev ${pair.vethA}; ping -c 2 -i 0.1 ${pair.addrB}; ` +
  `bash -c 'echo > /dev/tcp/${pair.addrB}/80' 2>/dev/null; true"`;

/** Events of our veth pair from a collection with the given extra arguments. */
function collect(name: string, args: string[], cmd = TRAFFIC()): Json[] {
  const out = path.join(tmp, `${name}.data`);
  const r = runRetis(['collect', '-c', 'skb,dev', '-p', 'tp:net:netif_receive_skb', '-o', out, ...args, '--cmd', cmd]);
  expect(r.stderr).not.toMatch(/^Error/m);
  expectExit0(r);
  return readEvents(out).slice(1).filter((e) => e.dev && [pair.vethA, pair.vethB].includes(e.dev.name));
}

const kinds = (events: Json[]) => events.map((e) => {
  const p = decodePacket(e.packet.data);
  return p.ethertype === 0x0806 ? 'arp' : p.proto === 1 ? 'icmp' : p.proto === 6 ? 'tcp' : `other:${p.ethertype}`;
});

test('without a filter every kind of packet shows (the control)', () => {
  const k = new Set(kinds(collect('none', [])));
  for (const kind of ['arp', 'icmp', 'tcp']) expect(k).toContain(kind);
});

test("-f 'icmp and host B': only ICMP to or from B", () => {
  const events = collect('icmp', ['-f', `icmp and host ${pair.addrB}`]);
  expect(events.length).toBeGreaterThanOrEqual(4); // 2 requests, 2 replies
  expect(new Set(kinds(events))).toEqual(new Set(['icmp']));
});

test("-f 'tcp port 80 or arp'", () => {
  const events = collect('tcp-or-arp', ['-f', 'tcp port 80 or arp']);
  expect(new Set(kinds(events))).toEqual(new Set(['tcp', 'arp']));
  for (const e of events.filter((x) => kinds([x])[0] === 'tcp')) {
    const p = decodePacket(e.packet.data);
    expect([p.sport, p.dport]).toContain(80);
  }
});

test("-m 'sk_buff.dev.name == \"vethB\"': only packets received on B's side", () => {
  const events = collect('devname', ['-m', `sk_buff.dev.name == "${pair.vethB}"`]);
  expect(events.length).toBeGreaterThan(0);
  expect(events.every((e) => e.dev.name === pair.vethB)).toBe(true);
});

test('-m on the namespace inode, through pointers and embedded structs', () => {
  const inum = nsInode(pair.a);
  const events = collect('nsinum', ['-m', `sk_buff.dev.nd_net.net.ns.inum == ${inum}`]);
  expect(events.length).toBeGreaterThan(0);
  expect(events.every((e) => e.dev.name === pair.vethA)).toBe(true);
});

test('-m with a mask and a bitfield', () => {
  // pkt_type is a bitfield: PACKET_HOST (0) for unicast to us, PACKET_BROADCAST (1) for ARP requests.
  const host = collect('pkttype', ['-m', 'sk_buff.pkt_type == 0']);
  expect(kinds(host)).not.toContain('other:0');
  const broadcast = collect('pkttype1', ['-m', 'sk_buff.pkt_type == 1']);
  expect(broadcast.length).toBeGreaterThan(0);
  expect(new Set(kinds(broadcast))).toEqual(new Set(['arp']));
  expect(host.filter((e) => kinds([e])[0] === 'arp').every((e) => decodePacket(e.packet.data).ethertype === 0x0806)).toBe(true);
  // len:0xffffff00 == 0 keeps packets shorter than 256 bytes: all of ours.
  const masked = collect('mask', ['-m', 'sk_buff.len:0xffffff00 == 0']);
  expect(masked.length).toBeGreaterThan(0);
  const none = collect('mask0', ['-m', 'sk_buff.len:0xffffff00 != 0']);
  expect(none).toEqual([]);
});

test('-f and -m combine with AND', () => {
  const events = collect('both', ['-f', 'icmp', '-m', `sk_buff.dev.name == "${pair.vethA}"`]);
  expect(events.length).toBeGreaterThanOrEqual(2); // the replies, received on A
  expect(events.every((e) => e.dev.name === pair.vethA)).toBe(true);
  expect(new Set(kinds(events))).toEqual(new Set(['icmp']));
  expect(events.every((e) => decodePacket(e.packet.data).icmpType === 0)).toBe(true);
});

test('an L3-only probe point uses the L3 filter', () => {
  // A tun device has no link-layer header: at net_dev_queue its packets
  // carry only a network header, so the L3 (raw IP) filter decides.
  const ns = pair.a;
  // Kernels with tun as a module (the VM's) need it loaded for /dev/net/tun.
  spawnSync('modprobe', ['tun'], { stdio: 'ignore' });
  inNs(ns, 'ip', ['tuntap', 'add', 'rtun0', 'mode', 'tun']);
  inNs(ns, 'ip', ['addr', 'add', '198.51.100.1/24', 'dev', 'rtun0']);
  inNs(ns, 'ip', ['link', 'set', 'rtun0', 'up']);
  try {
    const out = path.join(tmp, 'l3.data');
    const r = runRetis(['collect', '-c', 'skb,dev', '-p', 'tp:net:net_dev_queue', '-f', 'dst host 198.51.100.2', '-o', out,
      '--cmd', `ip netns exec ${ns} sh -c "ping -c 1 -W 1 198.51.100.2; ping -c 1 -W 1 198.51.100.3; true"`]);
    expectExit0(r);
    expect(r.stderr).toContain('L2+L3 packet filter(s) loaded');
    const events = readEvents(out).slice(1).filter((e) => e.dev?.name === 'rtun0');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      const frame = Buffer.from(e.packet.data, 'base64');
      // The fake Ethernet header: zero MACs, then IPv4.
      expect(frame.subarray(0, 12).equals(Buffer.alloc(12))).toBe(true);
      expect(decodePacket(e.packet.data).dst).toBe('198.51.100.2');
    }
  } finally {
    sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'del', 'rtun0']);
  }
});

test.each([
  ['pcap syntax error', ['-f', 'tcp port'], /^Error: Could not compile the filter: /],
  ['dangling and', ['-f', 'host 1.2.3.4 and'], /^Error: Could not compile the filter: /],
  ['unknown member', ['-m', 'sk_buff.dev.nam == "x"'], /^Error: meta filter: .*nam/],
  ['number compared with a string', ['-m', 'sk_buff.len < "x"'], /^Error: meta filter: /],
  ['string compared with a number', ['-m', 'sk_buff.dev.name == 3'], /^Error: meta filter: /],
  ['string compared with <', ['-m', 'sk_buff.dev.name < "eth0"'], /^Error: meta filter: /],
  ['string too long', ['-m', `sk_buff.dev.name == "${'x'.repeat(40)}"`], /^Error: meta filter: /],
  ['filter too long', ['-f', Array.from({ length: 200 }, (_, i) => `host 2001:db8::${i + 1}`).join(' or ')], /^Error: .*maximum allowed size/],
])('bad filter (%s): one clear line', (_name, args, message) => {
  const r = runRetis(['collect', '-c', 'skb', ...(args as string[])]);
  expect(r.status).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message as RegExp);
});
