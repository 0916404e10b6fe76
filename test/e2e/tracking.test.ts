/**
 * Core skb tracking on this kernel (tracepoint-only variant), on real
 * packets: across a DNAT in a router namespace, and across the clones a
 * bridge makes when it floods, and across a head reallocation. Also: a
 * packet that matched the packet filter once stays reported after NAT
 * rewrote it, since tracked skbs skip filtering.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectExit0, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';
import { cloneOnIngress, inNs as ns, routed, Topology, type Routed } from './helpers/topology';

jest.setTimeout(120_000);

const trackingId = (e: Json) => `${e['skb-tracking'].timestamp}/${e['skb-tracking'].orig_head}`;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-e2e-tracking-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('across a DNAT', () => {
  // The router rewrites 192.0.2.100 to the server.
  const topo = new Topology('trk');
  let client: string, routerIn: string, routerOut: string;

  beforeAll(() => {
    try {
      let router: string;
      ({ client, router, routerIn, routerOut } = routed(topo));
      ns(router, 'nft', 'add table ip nat; add chain ip nat pre { type nat hook prerouting priority dstnat; }; '
        + 'add rule ip nat pre ip daddr 192.0.2.100 dnat to 198.51.100.2');
      // The path works before anything is traced.
      ns(client, 'ping', '-c', '1', '-W', '2', '192.0.2.100');
    } catch (e) {
      topo.destroy();
      throw e;
    }
  });
  afterAll(() => topo.destroy());

  it('keeps the request\'s id and skb across the rewrite, and gives the reply another id', () => {
    const out = path.join(tmp, 'dnat.data');
    const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev', '-p', 'tp:net:netif_receive_skb', '-p', 'tp:net:net_dev_start_xmit',
      '-o', out, '--cmd', `ip netns exec ${client} ping -c 1 -W 2 192.0.2.100`]);
    expectExit0(r);
    const events = readEvents(out).slice(1).filter((e) => e.packet && e['skb-tracking']);
    const icmp = (type: number) => events.filter((e) => decodePacket(e.packet.data).icmpType === type);

    const requests = icmp(8);
    const before = requests.find((e) => e.dev?.name === routerIn && e.kernel.symbol === 'net:netif_receive_skb');
    const after = requests.find((e) => e.dev?.name === routerOut && e.kernel.symbol === 'net:net_dev_start_xmit');
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    // The router rewrote the destination in between.
    expect(decodePacket(before!.packet.data).dst).toBe('192.0.2.100');
    expect(decodePacket(after!.packet.data).dst).toBe('198.51.100.2');
    expect(trackingId(after!)).toBe(trackingId(before!));
    expect(after!['skb-tracking'].skb).toBe(before!['skb-tracking'].skb);
    // Every sighting of the request is the same packet.
    expect(new Set(requests.map(trackingId)).size).toBe(1);

    const replies = icmp(0);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.some((e) => decodePacket(e.packet.data).src === '192.0.2.100')).toBe(true);
    for (const reply of replies) expect(trackingId(reply)).not.toBe(trackingId(before!));
  });

  it('keeps reporting a packet that matched -f once, after NAT made it stop matching', () => {
    const out = path.join(tmp, 'dnat-filter.data');
    const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev', '-f', 'dst host 192.0.2.100',
      '-p', 'tp:net:netif_receive_skb', '-p', 'tp:net:net_dev_start_xmit',
      '-o', out, '--cmd', `ip netns exec ${client} ping -c 1 -W 2 192.0.2.100`]);
    expectExit0(r);
    const events = readEvents(out).slice(1).filter((e) => e.packet && e['skb-tracking']);
    const dsts = new Set(events.map((e) => decodePacket(e.packet.data).dst));
    // Rewritten, no longer matching, still there: only the request, seen on both sides.
    expect(dsts).toEqual(new Set(['192.0.2.100', '198.51.100.2']));
    expect(events.some((e) => e.dev?.name === routerOut)).toBe(true);
    expect(new Set(events.map(trackingId)).size).toBe(1);
  });
});

describe('across clones', () => {
  // A bridge with three ports: an ARP request from one port is flooded to
  // the two others (and to the bridge itself), each as a clone.
  const topo = new Topology('trk');
  let sender: string;
  let out1: string, out2: string;

  beforeAll(() => {
    try {
      sender = topo.ns('snd');
      const bridge = topo.ns('br');
      const r1 = topo.ns('rc1');
      const r2 = topo.ns('rc2');
      ns(bridge, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
      ns(bridge, 'ip', 'link', 'set', 'br0', 'up');
      const [s0, p0] = topo.link(sender, bridge, 'bs');
      const [p1, a1] = topo.link(bridge, r1, 'b1');
      const [p2, a2] = topo.link(bridge, r2, 'b2');
      for (const p of [p0, p1, p2]) ns(bridge, 'ip', 'link', 'set', p, 'master', 'br0');
      [out1, out2] = [p1, p2];
      ns(sender, 'ip', 'addr', 'add', '192.0.2.1/24', 'dev', s0);
      ns(r1, 'ip', 'addr', 'add', '192.0.2.2/24', 'dev', a1);
      ns(r2, 'ip', 'addr', 'add', '192.0.2.3/24', 'dev', a2);
    } catch (e) {
      topo.destroy();
      throw e;
    }
  });
  afterAll(() => topo.destroy());

  it('share the id of the packet they were cloned from, with their own skb address', () => {
    const out = path.join(tmp, 'flood.data');
    const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev', '-p', 'tp:net:net_dev_start_xmit', '-o', out,
      '--cmd', `ip netns exec ${sender} ping -c 1 -W 2 192.0.2.2`]);
    expectExit0(r);
    const events = readEvents(out).slice(1).filter((e) => e.packet && e['skb-tracking']);
    // ARP (0x0806) requests (opcode 1 at offset 20) leaving each flooded port.
    const arpRequest = (e: Json) => {
      const b = Buffer.from(e.packet.data, 'base64');
      return b.readUInt16BE(12) === 0x0806 && b.readUInt16BE(20) === 1;
    };
    const on1 = events.find((e) => e.dev?.name === out1 && arpRequest(e));
    const on2 = events.find((e) => e.dev?.name === out2 && arpRequest(e));
    const sent = events.find((e) => e.dev?.name !== out1 && e.dev?.name !== out2 && arpRequest(e));
    expect(on1).toBeDefined();
    expect(on2).toBeDefined();
    expect(sent).toBeDefined();
    expect(trackingId(on1!)).toBe(trackingId(sent!));
    expect(trackingId(on2!)).toBe(trackingId(sent!));
    expect(on1!['skb-tracking'].skb).not.toBe(on2!['skb-tracking'].skb);
  });
});

describe('across a head reallocation', () => {
  // The router's ingress mirrors every packet, so ip_forward finds the
  // original cloned and gives it a new head (pskb_expand_head): no probe
  // sees that here, the skb address leads to the new head.
  const topo = new Topology('trk');
  let r: Routed;

  beforeAll(() => {
    try {
      r = routed(topo);
      cloneOnIngress(topo, r);
      ns(r.client, 'ping', '-c', '1', '-W', '2', '198.51.100.2');
    } catch (e) {
      topo.destroy();
      throw e;
    }
  });
  afterAll(() => topo.destroy());

  it('keeps the id of a forwarded packet', () => {
    const out = path.join(tmp, 'realloc.data');
    const res = runRetis(['collect', '-c', 'skb,skb-tracking,dev', '-p', 'tp:net:netif_receive_skb', '-p', 'tp:net:net_dev_start_xmit',
      '-o', out, '--cmd', `ip netns exec ${r.client} ping -c 1 -W 2 198.51.100.2`]);
    expectExit0(res);
    const requests = readEvents(out).slice(1)
      .filter((e) => e.packet && e['skb-tracking'] && decodePacket(e.packet.data).icmpType === 8);
    const at = (dev: string, symbol: string) => requests.find((e) => e.dev?.name === dev && e.kernel.symbol === symbol);
    const received = at(r.routerIn, 'net:netif_receive_skb');
    const forwarded = at(r.routerOut, 'net:net_dev_start_xmit');
    const delivered = at(r.serverIn, 'net:netif_receive_skb');
    expect([received, forwarded, delivered].every(Boolean)).toBe(true);
    expect(trackingId(forwarded!)).toBe(trackingId(received!));
    expect(trackingId(delivered!)).toBe(trackingId(received!));
  });
});
