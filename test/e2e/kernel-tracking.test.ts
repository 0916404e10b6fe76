/**
 * Core skb tracking with kprobes (the reference's algorithm): the head a
 * packet gets from pskb_expand_head is followed, and a DNAT keeps the id.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectExit0, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';
import { cloneOnIngress, inNs, routed, Topology, type Routed } from './helpers/topology';
import { describeKernel, SLOWDOWN } from './helpers/kernel';

// Emulation in the VM makes every run of the tool slow.
jest.setTimeout(60_000 * SLOWDOWN);

describeKernel(['kprobe'], 'kprobe-based tracking', () => {
  const SLOW = { timeoutMs: 480_000 };
  const topo = new Topology('vmt');
  let r: Routed;
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-vm-tracking-'));
    try {
      r = routed(topo);
      // The forwarded packets get a new head (see cloneOnIngress), and
      // 192.0.2.100 is the server behind a DNAT.
      cloneOnIngress(topo, r);
      inNs(r.router, 'nft', 'add table ip nat; add chain ip nat pre { type nat hook prerouting priority dstnat; }; '
        + 'add rule ip nat pre ip daddr 192.0.2.100 dnat to 198.51.100.2');
      inNs(r.client, 'ping', '-c', '1', '-W', '5', '192.0.2.100');
    } catch (e) {
      topo.destroy();
      throw e;
    }
  });

  afterAll(() => {
    topo.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const trackingId = (e: Json) => `${e['skb-tracking'].timestamp}/${e['skb-tracking'].orig_head}`;

  it('follows a forwarded, NATed packet through pskb_expand_head', () => {
    const out = path.join(tmp, 'realloc.data');
    const res = runRetis(['collect', '-c', 'skb,skb-tracking,dev',
      '-p', 'tp:net:netif_receive_skb', '-p', 'tp:net:net_dev_start_xmit', '-p', 'kprobe:pskb_expand_head',
      '-o', out, '--cmd', `ip netns exec ${r.client} ping -c 1 -W 5 192.0.2.100`], SLOW);
    expectExit0(res);
    // Two tracepoints; pskb_expand_head is asked for and a tracking kprobe at
    // once; skb_free_head and kfree_skb_partial.
    expect(res.stderr).toContain('5 probe(s) loaded');

    const events = readEvents(out).slice(1).filter((e) => e['skb-tracking']);
    const requests = events.filter((e) => e.packet && decodePacket(e.packet.data).icmpType === 8);
    const at = (dev: string, symbol: string) => requests.find((e) => e.dev?.name === dev && e.kernel.symbol === symbol);
    const received = at(r.routerIn, 'net:netif_receive_skb');
    const forwarded = at(r.routerOut, 'net:net_dev_start_xmit');
    const delivered = at(r.serverIn, 'net:netif_receive_skb');
    expect([received, forwarded, delivered].every(Boolean)).toBe(true);
    expect(decodePacket(forwarded!.packet.data).dst).toBe('198.51.100.2');

    // The head was reallocated on the way, and the packet kept its id.
    const expand = events.find((e) => e.kernel.symbol === 'pskb_expand_head' && e['skb-tracking'].skb === received!['skb-tracking'].skb);
    expect(expand).toBeDefined();
    for (const e of [expand!, forwarded!, delivered!]) expect(trackingId(e)).toBe(trackingId(received!));

    // The reply is another packet.
    const replies = events.filter((e) => e.packet && decodePacket(e.packet.data).icmpType === 0);
    expect(replies.length).toBeGreaterThan(0);
    for (const e of replies) expect(trackingId(e)).not.toBe(trackingId(received!));
  });
});
