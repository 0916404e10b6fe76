/**
 * Profiles end to end: `retis -p NAME collect` loads the profile's probes and
 * collectors for real, profile arguments merge with the user's as the
 * reference merges them, and `retis profile list` shows what is installed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, type NsPair } from './helpers/netns';
import { expectExit0, ROOT, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';

jest.setTimeout(120_000);

let pair: NsPair;
let tmp: string;
/** An empty HOME: no user profiles unless a test writes some. */
let home: string;

beforeAll(() => {
  pair = createNsPair('prf');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-e2e-profiles-'));
  home = path.join(tmp, 'home');
  fs.mkdirSync(home);
});

afterAll(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Other collections may run on the machine: only programs that appear during
// a test count, and only if they outlive it (another run's end in seconds).
let before: Set<number>;
beforeEach(() => {
  before = new Set(probePrograms());
});
afterEach(async () => {
  const appeared = () => probePrograms().filter((id) => !before.has(id));
  for (let waited = 0; appeared().length > 0 && waited < 20_000; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(appeared()).toEqual([]);
});

/** Ids of the loaded BPF programs named like ours. */
function probePrograms(): number[] {
  const out = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  return (JSON.parse(out.stdout || '[]') as { id: number; name?: string }[])
    .filter((p) => p.name?.startsWith('probe_')).map((p) => p.id);
}

const inA = (cmd: string) => `ip netns exec ${pair.a} ${cmd}`;
const retis = (args: string[], env: NodeJS.ProcessEnv = {}) => runRetis(args, { env: { HOME: home, ...env } });
const stderrLines = (s: string) => s.split('\n').filter(Boolean);

/** Writes a profile directory holding the given files. */
function profileDir(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

describe('retis -p ifdump collect', () => {
  it('attaches the ifdump probes instead of the default ones and records the expanded command line', () => {
    const out = path.join(tmp, 'ifdump.data');
    const cmd = inA(`ping -c 1 -W 2 ${pair.addrB}`);
    const r = retis(['-p', 'ifdump', 'collect', '-o', out, '--cmd', cmd]);
    expectExit0(r);
    const log = stderrLines(r.stderr);
    expect(log[0]).toBe('Applying profile ifdump');
    expect(log.some((l) => l.startsWith('No probe(s) given'))).toBe(false);
    const loaded = log.find((l) => /^\d+ probe\(s\) loaded$/.test(l));
    expect(loaded).toBeDefined();

    // The same probes given by hand load the same number of probes.
    const byHand = retis(['collect', '-p', 'tp:net:netif_receive_skb', '-p', 'tp:net:net_dev_start_xmit', '--cmd', 'true']);
    expectExit0(byHand);
    expect(stderrLines(byHand.stderr)).toContain(loaded);

    const events = readEvents(out);
    expect(events[0].startup.cmdline).toBe(
      `retis -p ifdump collect -o ${out} --cmd ${cmd} --probe tp:net:netif_receive_skb --probe tp:net:net_dev_start_xmit`);
    const ping = events.filter((e) => e.packet && decodePacket(e.packet.data).proto === 1);
    const seen = (symbol: string, dev: string, icmpType: number) => ping.some((e) =>
      e.kernel.symbol === symbol && e.dev?.name === dev && decodePacket(e.packet.data).icmpType === icmpType);
    // Request: leaves veth A, arrives on veth B; the reply goes back.
    expect(seen('net:net_dev_start_xmit', pair.vethA, 8)).toBe(true);
    expect(seen('net:netif_receive_skb', pair.vethB, 8)).toBe(true);
    expect(seen('net:net_dev_start_xmit', pair.vethB, 0)).toBe(true);
    expect(seen('net:netif_receive_skb', pair.vethA, 0)).toBe(true);
  });
});

describe('retis -p dropmon collect', () => {
  it('reports a drop at skb:kfree_skb with its reason, stack, packet, device and namespace; pcap exports it', () => {
    const out = path.join(tmp, 'dropmon.data');
    const port = 9;
    const r = retis(['-p', 'dropmon', 'collect', '-o', out,
      '--cmd', inA(`bash -c 'echo > /dev/tcp/${pair.addrB}/${port}' 2>/dev/null; true`)]);
    expectExit0(r);
    expect(stderrLines(r.stderr)[0]).toBe('Applying profile dropmon');

    const events = readEvents(out);
    expect(events[0].startup.cmdline).toMatch(/ --collectors skb-drop,skb,dev,ns --probe tp:skb:kfree_skb\/stack$/);
    const kernelEvents = events.slice(1);
    expect(kernelEvents.length).toBeGreaterThan(0);
    // Only the profile's probe, and only its collectors' sections.
    for (const e of kernelEvents) {
      expect(e.kernel.symbol).toBe('skb:kfree_skb');
      expect(Object.keys(e).filter((k) => !['common', 'kernel', 'skb-drop', 'packet', 'dev', 'netns'].includes(k))).toEqual([]);
    }
    const syn = kernelEvents.find((e: Json) => {
      const p = decodePacket(e.packet?.data ?? '');
      return e.dev?.name === pair.vethB && p.proto === 6 && p.dport === port;
    });
    expect(syn).toBeDefined();
    expect(syn!['skb-drop'].drop_reason).toBe('NO_SOCKET');
    expect(syn!.dev.ifindex).toBe(pair.ifindexB);
    expect(syn!.netns.inum).toBeGreaterThan(0);
    // `/stack`: the frames lead to the TCP receive path that dropped it.
    expect(syn!.kernel.stack_trace.some((f: string) => f.startsWith('tcp_v4_rcv+0x'))).toBe(true);

    // Its pcap section selects the same probe's packets for export.
    const pcap = path.join(tmp, 'dropmon.pcap');
    const exported = retis(['-p', 'dropmon', 'pcap', out, '-o', pcap]);
    expect(exported.status).toBe(0);
    expect(stderrLines(exported.stderr)[0]).toBe('Applying profile dropmon');
    const read = spawnSync('tcpdump', ['-nnr', pcap], { encoding: 'utf8' });
    const packets = read.stdout.split('\n').filter(Boolean);
    expect(packets).toHaveLength(kernelEvents.filter((e: Json) => e.packet).length);
    expect(packets.some((l) => l.includes(`${pair.addrA}.`) && l.includes(`> ${pair.addrB}.${port}: Flags [S]`))).toBe(true);
  });
});

describe('conditions against the running kernel', () => {
  it('skips sections whose symbols this kernel lacks and applies the first that holds', () => {
    const file = path.join(tmp, 'cond.yaml');
    fs.writeFileSync(file, `version: 1.0
name: cond
collect:
  - name: missing function
    when:
      - type: symbol
        name: no_such_function_in_any_kernel
    args:
      probe: tp:net:netif_rx
  - name: missing tracepoint
    when:
      - type: symbol
        name: net:no_such_event
    args:
      probe: tp:net:netif_rx
  - name: too old
    when:
      - type: version
        version: "< 4"
    args:
      probe: tp:net:netif_rx
  - name: this kernel
    when:
      - type: symbol
        name: skb:kfree_skb
      - type: symbol
        name: ip_rcv
      - type: symbol
        name: no_such_function_in_any_kernel
        exists: false
      - type: version
        version: ">= 4, != 4.0.0"
    args:
      probe: tp:net:netif_receive_skb
`);
    const out = path.join(tmp, 'cond.data');
    const r = retis(['-p', file, 'collect', '-c', 'skb', '-o', out, '--cmd', 'true']);
    expectExit0(r);
    expect(stderrLines(r.stderr)[0]).toBe('Applying profile cond: this kernel');
    expect(readEvents(out)[0].startup.cmdline).toMatch(/ --probe tp:net:netif_receive_skb$/);
  });
});

describe('merging profile and user arguments', () => {
  it('accumulates collectors from the user and a profile found with -P', () => {
    const dir = profileDir('merge', {
      'rx.yaml': 'version: 1.0\nname: rx-dev\ncollect:\n  - args:\n      collectors: dev\n      probe: tp:net:netif_receive_skb\n',
    });
    const out = path.join(tmp, 'merge.data');
    const r = retis(['-P', dir, '-p', 'rx-dev', 'collect', '-c', 'skb', '-o', out, '--cmd', inA(`ping -c 1 -W 2 ${pair.addrB}`)]);
    expectExit0(r);
    const rx = readEvents(out).slice(1).filter((e) => e.dev?.name === pair.vethB);
    expect(rx.length).toBeGreaterThan(0);
    // skb gives the packet, dev the device: both collectors ran.
    for (const e of rx) {
      expect(e.kernel.symbol).toBe('net:netif_receive_skb');
      expect(e.packet).toBeDefined();
    }
  });

  it('refuses a single-value option given by both, before loading anything', () => {
    const file = path.join(tmp, 'stop.yaml');
    fs.writeFileSync(file, 'version: 1.0\nname: stop\ncollect:\n  - args:\n      stop-after: "5"\n');
    const r = retis(['-p', file, 'collect', '--stop-after', '3', '--cmd', 'true']);
    expect(r.status).toBe(2);
    expect(stderrLines(r.stderr)).toEqual([
      'Applying profile stop',
      "Error: the argument '--stop-after' cannot be used multiple times (see 'retis collect --help')",
    ]);
  });

  it('refuses an argument written as a number', () => {
    const file = path.join(tmp, 'number.yaml');
    fs.writeFileSync(file, 'version: 1.0\nname: number\ncollect:\n  - args:\n      stop-after: 5\n');
    const r = retis(['-p', file, 'collect']);
    expect(r.status).toBe(1);
    expect(stderrLines(r.stderr)).toEqual([
      `Error: ${file}:5: collect[0].args.stop-after: expected a string, found number 5 (quote it: "5")`,
    ]);
  });
});

describe('profile errors', () => {
  it('a missing profile is one clear error line', () => {
    const r = retis(['-p', 'no-such-profile', 'collect']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(stderrLines(r.stderr)).toEqual(['Error: Profile with name no-such-profile not found']);
  });

  it('only collect and pcap take profiles', () => {
    const r = retis(['-p', 'ifdump', 'print', path.join(tmp, 'none.data')]);
    expect(r.status).toBe(1);
    expect(stderrLines(r.stderr)).toEqual(['Error: Subcommand print does not support profile enhancement']);
  });

  it('warns when no section applies and then runs without profile arguments', () => {
    const dir = profileDir('old', {
      'old.yaml': 'version: 1.0\nname: old\ncollect:\n  - when:\n      - type: version\n        version: "< 3"\n    args:\n      probe: tp:net:netif_rx\n',
    });
    const r = retis(['-P', dir, '-p', 'old', 'collect', '-c', 'skb', '-p', 'tp:net:netif_receive_skb', '--cmd', 'true']);
    expectExit0(r);
    expect(stderrLines(r.stderr)[0]).toBe('WARN  None of the collect profiles defined in old were selected');
  });
});

describe('retis profile list', () => {
  const builtin = path.join(ROOT, 'profiles');

  it('lists the built-in profiles', () => {
    const r = retis(['profile', 'list']);
    expectExit0(r);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      `${builtin}/drop.yaml:`,
      '  dropmon              Drop monitor-like',
      '  nft-dropmon          Drop monitor-like for netfilter (needs `--allow-system-changes` or compatible configuration; see `retis collect --help`)',
      `${builtin}/generic.yaml:`,
      '  generic              Generic set of probes, meant to be used as a starting point for debugging sessions',
      `${builtin}/ifdump.yaml:`,
      '  ifdump               Dumps packet after the device in ingress and before the device in egress; like AF_PACKET utilities',
      '',
    ].join('\n'));
  });

  it('lists -P first, then $HOME, skipping invalid files with a warning', () => {
    const extra = profileDir('list-extra', { 'mine.yml': 'version: 1.0\nname: a-very-long-profile-name\n', 'broken.yaml': 'version: 1\nname: x\n' });
    const userHome = path.join(tmp, 'list-home');
    profileDir('list-home/.config/retis/profiles', { 'user.yaml': 'version: 1.0\nname: mine\nabout: from home\n' });
    const r = retis(['-P', extra, 'profile', 'list'], { HOME: userHome });
    expectExit0(r);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `${extra}/mine.yml:`,
      '  a-very-long-profile-name ',
      `${userHome}/.config/retis/profiles/user.yaml:`,
      '  mine                 from home',
    ]);
    expect(lines[4]).toBe(`${builtin}/drop.yaml:`);
    expect(stderrLines(r.stderr)).toEqual([
      `WARN  Skipping invalid file ${extra}/broken.yaml: ${extra}/broken.yaml:1: version: invalid profile version '1': `
      + 'Too few numeric values. Two values (X.Y) must be provided',
    ]);
  });
});
