/**
 * Probes on functions and tracepoints of kernel modules, whose prototypes are
 * in the module's BTF (/sys/kernel/btf/<module>, split over vmlinux), on a
 * kernel where veth and cfg80211 are modules (the VM's): a kprobe, an
 * fentry and an fexit on veth_xmit for a ping between two namespaces, a
 * wildcard over veth's functions, and a tracepoint of cfg80211 on a virtual
 * Wi-Fi interface (mac80211_hwsim).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, sh, type NsPair } from './helpers/netns';
import { expectExit0, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';
import { describeKernel, SLOWDOWN } from './helpers/kernel';

// Emulation in the VM makes every run of the tool slow.
jest.setTimeout(60_000 * SLOWDOWN);
const SLOW = { timeoutMs: 480_000 };

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-modules-probes-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The echo requests a sent to b, as the events of `symbol` show them. */
function echoRequests(events: Json[], symbol: string, pair: NsPair): Json[] {
  return events.filter((e) => e.kernel?.symbol === symbol && e.packet).filter((e) => {
    const p = decodePacket(e.packet.data);
    return p.icmpType === 8 && p.src === pair.addrA && p.dst === pair.addrB;
  });
}

describeKernel(['kprobe', 'fentry', 'fexit', 'netModules'], 'probes on functions of the veth module', () => {
  let pair: NsPair;

  beforeAll(() => {
    pair = createNsPair('mod');
  });
  afterAll(() => pair?.destroy());

  describe('kprobe, fentry and fexit on veth_xmit', () => {
    let events: Json[];
    let stderr: string;

    beforeAll(() => {
      const out = path.join(tmp, 'veth.data');
      const r = runRetis(['--log-level', 'debug', 'collect', '-c', 'skb,skb-tracking,dev',
        '-p', 'kprobe:veth_xmit', '-p', 'fentry:veth_xmit', '-p', 'fexit:veth_xmit',
        '-o', out, '--cmd', `ip netns exec ${pair.a} ping -c 1 -W 5 ${pair.addrB}`], SLOW);
      stderr = r.stderr;
      expectExit0(r);
      events = readEvents(out).slice(1);
    });

    it('takes the prototype from the module\'s BTF and loads the three probes', () => {
      expect(fs.existsSync('/sys/kernel/btf/veth')).toBe(true);
      expect(stderr).toMatch(/Loaded the BTF of module veth \(\d+ types\)/);
      // The three tracking kprobes come on top.
      expect(stderr).toContain('6 probe(s) loaded');
    });

    // veth_xmit(struct sk_buff *skb, struct net_device *dev) hands the skb
    // over to the peer: on the way in, the skb's device is a's veth, on the
    // way out b's.
    it.each([['kprobe', 'vethA'], ['fentry', 'vethA'], ['fexit', 'vethB']] as const)(
      '%s:veth_xmit reports the echo request sent by a, on %s', (kind, dev) => {
        const seen = echoRequests(events, 'veth_xmit', pair).filter((e) => e.kernel.probe_type === kind);
        expect(seen).toHaveLength(1);
        expect(seen[0].dev?.name).toBe(pair[dev]);
      });

    it('fexit:veth_xmit returns NETDEV_TX_OK, and every kind saw the same packet', () => {
      const seen = echoRequests(events, 'veth_xmit', pair);
      const fexit = seen.find((e) => e.kernel.probe_type === 'fexit')!;
      expect(fexit.kernel.retval).toBe(0);
      const ids = new Set(seen.map((e) => `${e['skb-tracking'].timestamp}/${e['skb-tracking'].orig_head}`));
      expect(ids.size).toBe(1);
    });
  });

  it('a wildcard over the module\'s functions resolves them from its BTF', () => {
    // What can be probed, as `inspect` lists it: veth's functions taking an skb.
    const listed = runRetis(['inspect', '-p', 'kprobe:veth_*'], SLOW);
    expectExit0(listed);
    const probes = listed.stdout.trim().split('\n');
    expect(probes).toContain('kprobe:veth_xmit');
    expect(probes.every((p) => p.startsWith('kprobe:veth_'))).toBe(true);

    const out = path.join(tmp, 'wildcard.data');
    const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev', '-p', 'kprobe:veth_*', '-o', out,
      '--cmd', `ip netns exec ${pair.a} ping -c 1 -W 5 ${pair.addrB}`], SLOW);
    expectExit0(r);
    // The functions with an skb or a net_device (dev), with the tracking kprobes.
    const loaded = Number(/(\d+) probe\(s\) loaded/.exec(r.stderr)?.[1]);
    const functions = fs.readFileSync('/sys/kernel/tracing/available_filter_functions', 'utf8').split('\n')
      .filter((l) => /^veth_\w+ \[veth\]$/.test(l));
    expect(loaded).toBeGreaterThan(3 + probes.length);
    expect(loaded).toBeLessThanOrEqual(3 + functions.length);
    const seen = echoRequests(readEvents(out).slice(1), 'veth_xmit', pair);
    expect(seen).toHaveLength(1);
    expect(seen[0].kernel.probe_type).toBe('kprobe');
  });
});

describeKernel(['netModules'], 'a raw tracepoint of the cfg80211 module', () => {
  let wlan: string;
  const wifi = () => fs.readdirSync('/sys/class/net').filter((d) => fs.existsSync(`/sys/class/net/${d}/phy80211`));

  beforeAll(() => {
    const before = new Set(wifi());
    sh('modprobe', ['mac80211_hwsim', 'radios=1']);
    [wlan] = wifi().filter((d) => !before.has(d));
  });
  afterAll(() => {
    sh('modprobe', ['-r', 'mac80211_hwsim']);
  });

  it('tp:cfg80211:rdev_set_power_mgmt fires with the interface brought up, its prototype from cfg80211\'s BTF', () => {
    expect(wlan).toBeDefined();
    const out = path.join(tmp, 'cfg80211.data');
    const r = runRetis(['--log-level', 'debug', 'collect', '-c', 'dev', '-p', 'tp:cfg80211:rdev_set_power_mgmt', '-o', out,
      '--cmd', `ip link set ${wlan} up`], SLOW);
    expectExit0(r);
    expect(r.stderr).toMatch(/Loaded the BTF of module cfg80211 \(\d+ types\)/);
    const events = readEvents(out).slice(1).filter((e) => e.kernel?.symbol === 'cfg80211:rdev_set_power_mgmt');
    expect(events).toHaveLength(1);
    expect(events[0].kernel.probe_type).toBe('raw_tracepoint');
    // rdev_set_power_mgmt(struct wiphy *, struct net_device *, bool enabled, int timeout): the station brought up.
    expect(events[0].dev.name).toBe(wlan);
  });
});
