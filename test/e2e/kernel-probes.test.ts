/**
 * Every probe kind on a kernel that has them (the VM's), on real packets
 * between two namespaces: kprobes, kretprobes and fexit with their return
 * values, fentry, kprobe stack traces, and a kprobe wildcard attached through
 * kprobe.multi.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, type NsPair } from './helpers/netns';
import { expectExit0, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';
import { describeKernel, SLOWDOWN } from './helpers/kernel';

// Emulation in the VM makes every run of the tool slow.
jest.setTimeout(60_000 * SLOWDOWN);

describeKernel(['kprobe', 'kretprobe', 'fentry', 'fexit'], 'every probe kind', () => {
  const SLOW = { timeoutMs: 480_000 };
  let pair: NsPair;
  let tmp: string;

  beforeAll(() => {
    pair = createNsPair('vmp');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-vm-probes-'));
  });

  afterAll(() => {
    pair?.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const trackingId = (e: Json) => `${e['skb-tracking'].timestamp}/${e['skb-tracking'].orig_head}`;

  describe('one ping seen by every probe kind', () => {
    let events: Json[];
    let stderr: string;
    let out: string;

    beforeAll(() => {
      out = path.join(tmp, 'kinds.data');
      const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev',
        '-p', 'kprobe:ip_rcv/stack', '-p', 'kretprobe:ip_rcv_core', '-p', 'fentry:ip_local_deliver', '-p', 'fexit:ip_route_input_noref',
        '-o', out, '--cmd', `ip netns exec ${pair.a} ping -c 1 -W 5 ${pair.addrB}`], SLOW);
      stderr = r.stderr;
      expectExit0(r);
      // The echo request, as received in b.
      events = readEvents(out).slice(1).filter((e) => e.dev?.name === pair.vethB && e.packet
        && decodePacket(e.packet.data).icmpType === 8);
    });

    const bySymbol = (symbol: string) => {
      const e = events.find((x) => x.kernel.symbol === symbol);
      expect(e).toBeDefined();
      return e!;
    };

    it('installs the tracking kprobes next to the four asked for', () => {
      expect(stderr).toContain('7 probe(s) loaded');
    });

    it('kprobe', () => {
      const e = bySymbol('ip_rcv');
      expect(e.kernel.probe_type).toBe('kprobe');
      expect(e.kernel.retval).toBeUndefined();
      // The probed function is where the stack starts.
      expect(e.kernel.stack_trace[0]).toMatch(/^ip_rcv\+0x[0-9a-f]+$/);
    });

    it('kretprobe, with the return value decoded as a pointer', () => {
      const e = bySymbol('ip_rcv_core');
      expect(e.kernel.probe_type).toBe('kretprobe');
      // ip_rcv_core returns the skb it was given (a u64 beyond 2^53: kept as text by the reader).
      expect(String(e.kernel.retval)).toBe(String(e['skb-tracking'].skb));
    });

    it('fentry', () => {
      expect(bySymbol('ip_local_deliver').kernel.probe_type).toBe('fentry');
    });

    it('fexit, with the return value decoded as an int', () => {
      const e = bySymbol('ip_route_input_noref');
      expect(e.kernel.probe_type).toBe('fexit');
      // The route to the local address was found.
      expect(e.kernel.retval).toBe(0);
    });

    it('every kind follows the same packet', () => {
      expect(new Set(events.map(trackingId)).size).toBe(1);
      expect(new Set(events.map((e) => e.kernel.symbol))).toEqual(new Set(['ip_rcv', 'ip_rcv_core', 'ip_local_deliver', 'ip_route_input_noref']));
    });

    it('prints return values after the symbol', () => {
      const r = runRetis(['print', out], SLOW);
      expectExit0(r);
      const skb = BigInt(bySymbol('ip_rcv_core')['skb-tracking'].skb);
      expect(r.stdout).toMatch(new RegExp(` \\[kr\\] ip_rcv_core ret ${skb} #`));
      expect(r.stdout).toMatch(/ \[fexit\] ip_route_input_noref ret 0 #/);
      expect(r.stdout).toMatch(/ \[fentry\] ip_local_deliver #/);
      expect(r.stdout).toMatch(/ \[k\] ip_rcv #/);
    });
  });

  it('kprobe:tcp_v4_* attaches every matching function that takes an skb', () => {
    const out = path.join(tmp, 'wildcard.data');
    const port = 9;
    const r = runRetis(['--log-level', 'debug', 'collect', '-c', 'skb,skb-tracking', '-p', 'kprobe:tcp_v4_*', '-o', out,
      '--cmd', `ip netns exec ${pair.a} bash -c 'echo > /dev/tcp/${pair.addrB}/${port}' 2>/dev/null; true`], SLOW);
    expectExit0(r);
    const loaded = Number(/(\d+) probe\(s\) loaded/.exec(r.stderr)?.[1]);
    const functions = fs.readFileSync('/sys/kernel/tracing/available_filter_functions', 'utf8').split('\n')
      .filter((l) => /^tcp_v4_\w+$/.test(l.split(' ')[0]));
    // Those without an skb parameter are left out; the three tracking kprobes come on top.
    expect(loaded).toBeGreaterThan(3 + 5);
    expect(loaded).toBeLessThanOrEqual(3 + functions.length);
    const syn = readEvents(out).slice(1).find((e) => e.kernel.symbol === 'tcp_v4_rcv' && e.packet
      && decodePacket(e.packet.data).dport === port);
    expect(syn).toBeDefined();
    expect(syn!.kernel.probe_type).toBe('kprobe');
  });
});
