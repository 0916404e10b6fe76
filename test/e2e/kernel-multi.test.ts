/**
 * kprobe.multi on a kernel that has it (the VM's bookworm-backports kernel):
 * wildcard kprobes matching a few hundred functions are attached through
 * kprobe.multi links, not one kprobe per function; events from real packets
 * are named after the function that was hit, which the per-function cookies
 * decide; attaching and detaching are quick; nothing stays loaded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, type NsPair } from './helpers/netns';
import { expectExit0, loadedProgramNames, type RetisResult, startRetis } from './helpers/retis';
import { decodePacket, readEvents, type DecodedPacket, type Json } from './helpers/events';
import { describeKernel, SLOWDOWN } from './helpers/kernel';

// Emulation in the VM makes every run of the tool slow.
jest.setTimeout(60_000 * SLOWDOWN);

/**
 * Time limits, in seconds on a kernel running at full speed (multiplied by
 * SLOWDOWN in the VM). Measured in the VM (TCG, 2 vCPUs) with the probes
 * below (301 of them on Debian's 6.12.95), against the same probes attached
 * one kprobe each on Debian's 6.1.192 (299 of them, no kprobe.multi there):
 *
 *   from start to `301 probe(s) loaded`   14.1-14.6 s   (6.1: 20.3 s)
 *   programs loaded and attached          0.83-0.85 s   (6.1: 4.9 s)
 *   from SIGINT to exit                   2.9-3.1 s     (6.1: 30.7 s)
 *
 * Most of the start is node starting and the wildcards resolved against BTF;
 * the other two are where one link per kind instead of one per function shows.
 */
const READY_S = 4.5;
const ATTACH_S = 0.3;
const STOP_S = 1;

/** Functions the wildcards below cover. */
const PATTERNS = [/^tcp_/, /^ip/];
/** skb tracking's own kprobes, added by the tool. */
const TRACKING = ['skb_free_head', 'kfree_skb_partial', 'pskb_expand_head'];
/** Functions this collection may probe: ftrace and kprobes users other than it are left out of the checks. */
const ours = (f: string) => PATTERNS.some((p) => p.test(f)) || TRACKING.includes(f);

interface BpftoolProg { id: number; name?: string }
interface BpftoolLink { id: number; type: string; prog_id: number }

function bpftool<T>(...args: string[]): T[] {
  const r = spawnSync('bpftool', ['-j', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bpftool ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout || '[]') as T[];
}

/**
 * Our functions with ftrace callbacks (tracefs enabled_functions): name ->
 * number of callbacks, and their lines, which name the handler.
 */
function ftraceHooks(): { users: Map<string, number>; lines: string[] } {
  const users = new Map<string, number>();
  const lines: string[] = [];
  for (const line of fs.readFileSync('/sys/kernel/tracing/enabled_functions', 'utf8').split('\n').filter(Boolean)) {
    const m = /^(\S+)(?: \[\S+\])? \((\d+)\)/.exec(line);
    if (!m) throw new Error(`unexpected enabled_functions line: ${line}`);
    if (!ours(m[1])) continue;
    users.set(m[1], Number(m[2]));
    lines.push(line);
  }
  return { users, lines };
}

/** Kprobes registered on our functions (debugfs kprobes/list: `ADDR k FUNC+OFF [FTRACE]`). */
function registeredKprobes(): string[] {
  return fs.readFileSync('/sys/kernel/debug/kprobes/list', 'utf8').split('\n')
    .filter((l) => ours(l.split(/\s+/)[2]?.split('+')[0] ?? ''));
}

describeKernel(['kprobeMulti'], 'kprobe.multi', () => {
  const port = 9;
  let pair: NsPair;
  let tmp: string;
  let matched: string[];
  let progsBefore: Set<number>;
  // Seen while the collection ran.
  let loaded: number;
  let readyS: number;
  let ourProgs: BpftoolProg[];
  let ourLinks: BpftoolLink[];
  let hooks: ReturnType<typeof ftraceHooks>;
  let kprobes: string[];
  // After it.
  let result: RetisResult;
  let stopS: number;
  let events: Json[];

  beforeAll(async () => {
    pair = createNsPair('kml');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-kmulti-'));
    matched = [...new Set(fs.readFileSync('/sys/kernel/tracing/available_filter_functions', 'utf8').split('\n')
      .map((l) => l.split(' ')[0]).filter((f) => PATTERNS.some((p) => p.test(f))))];
    progsBefore = new Set(bpftool<BpftoolProg>('prog', 'show').map((p) => p.id));

    const out = path.join(tmp, 'multi.data');
    const started = performance.now();
    const retis = startRetis(['--log-level', 'debug', 'collect', '-c', 'skb,skb-tracking,dev', '--stack',
      '-p', 'kprobe:tcp_*', '-p', 'kprobe:ip*', '-p', 'kretprobe:ip_rcv_core', '-o', out],
    { readyTimeoutMs: 5 * READY_S * SLOWDOWN * 1000 });
    try {
      await retis.ready;
      readyS = (performance.now() - started) / 1000;
      ourProgs = bpftool<BpftoolProg>('prog', 'show').filter((p) => !progsBefore.has(p.id));
      const ids = new Set(ourProgs.map((p) => p.id));
      ourLinks = bpftool<BpftoolLink>('link', 'show').filter((l) => ids.has(l.prog_id));
      hooks = ftraceHooks();
      kprobes = registeredKprobes();
      // A SYN to a closed port: b answers with a RST.
      spawnSync('ip', ['netns', 'exec', pair.a, 'bash', '-c', `echo > /dev/tcp/${pair.addrB}/${port}`], { stdio: 'ignore' });
    } finally {
      const stopping = performance.now();
      result = await retis.stop('SIGINT');
      stopS = (performance.now() - stopping) / 1000;
    }
    loaded = Number(/(\d+) probe\(s\) loaded/.exec(result.stderr)?.[1]);
    events = readEvents(out).slice(1);
  });

  afterAll(() => {
    pair?.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('resolves the wildcards to a few hundred functions, attaching those the collectors can read', () => {
    expectExit0(result);
    // On 6.12.95: 968 functions match, 297 of them take an skb or a net_device.
    expect(matched.length).toBeGreaterThan(300);
    expect(loaded).toBeGreaterThan(150);
    // The kretprobe and the tracking kprobes come on top of the matches.
    expect(loaded).toBeLessThanOrEqual(matched.length + 1 + TRACKING.length);
    expect(result.stderr).not.toContain('kprobe.multi attach failed');
  });

  it('attaches through kprobe.multi links: one for the kprobes, two for the kretprobe', () => {
    const progName = new Map(ourProgs.map((p) => [p.id, p.name]));
    expect(ourLinks.map((l) => `${l.type} ${progName.get(l.prog_id)}`).sort()).toEqual([
      'kprobe_multi probe_kprobe_multi', 'kprobe_multi probe_kret_entry_multi', 'kprobe_multi probe_kretprobe_multi',
    ]);
  });

  it('hooks every function once through fprobe, none through a kprobe', () => {
    // Every probed function has an ftrace callback: one function less than
    // probes, as ip_rcv_core carries a kprobe and a kretprobe.
    expect(hooks.users.size).toBe(loaded - 1);
    // Its three users: the kprobes' link and the kretprobe's two.
    expect(hooks.users.get('ip_rcv_core')).toBe(3);
    expect(hooks.users.get('tcp_v4_rcv')).toBe(1);
    // A kprobe on a function start is an ftrace callback too (kprobe_ftrace_handler), and is listed in kprobes/list.
    expect(hooks.lines.filter((l) => l.includes('kprobe_ftrace_handler'))).toEqual([]);
    expect(kprobes).toEqual([]);
  });

  it('names every event after the function that was hit', () => {
    const fired = events.filter((e) => e.kernel.probe_type === 'kprobe');
    // Many functions fired, each event under its own probe's name.
    expect(new Set(fired.map((e) => e.kernel.symbol)).size).toBeGreaterThanOrEqual(15);
    // The stack starts in the probed function. Stacks can be missing (a
    // stack map bucket already taken), but not from most events.
    const withStack = fired.filter((e) => e.kernel.stack_trace?.length);
    expect(withStack.length).toBeGreaterThanOrEqual(fired.length / 2);
    const wrong = withStack.filter((e) => !e.kernel.stack_trace[0].startsWith(`${e.kernel.symbol}+0x`));
    expect(wrong.map((e) => `${e.kernel.symbol} at ${e.kernel.stack_trace[0]}`)).toEqual([]);
  });

  it('follows the SYN through kprobe:ip_rcv then kprobe:tcp_v4_rcv, and the RST back', () => {
    const packets = (match: (p: DecodedPacket) => boolean) => events.filter((e) => e.packet && match(decodePacket(e.packet.data)))
      .sort((x, y) => Number(BigInt(x.common.timestamp) - BigInt(y.common.timestamp)));
    // The functions a packet went through, in order, on the receiving side.
    const received = (list: Json[], dev: string) => list.filter((e) => e.kernel.probe_type === 'kprobe' && e.dev?.name === dev)
      .map((e) => e.kernel.symbol);
    const syn = packets((p) => p.proto === 6 && p.dport === port && ((p.tcpFlags ?? 0) & 0x02) !== 0);
    const rst = packets((p) => p.proto === 6 && p.sport === port && ((p.tcpFlags ?? 0) & 0x04) !== 0);
    for (const [list, dev] of [[syn, pair.vethB], [rst, pair.vethA]] as const) {
      const symbols = received(list, dev);
      expect(symbols).toContain('ip_rcv');
      expect(symbols).toContain('tcp_v4_rcv');
      expect(symbols.indexOf('ip_rcv')).toBeLessThan(symbols.indexOf('tcp_v4_rcv'));
    }
    // b answered from tcp_v4_rcv.
    expect(received(syn, pair.vethB)).toContain('tcp_v4_send_reset');
  });

  it('kretprobe through kprobe.multi, with its return value', () => {
    const ret = events.filter((e) => e.kernel.probe_type === 'kretprobe');
    expect(ret.length).toBeGreaterThanOrEqual(2);
    for (const e of ret) {
      expect(e.kernel.symbol).toBe('ip_rcv_core');
      // ip_rcv_core returns the skb it was given.
      expect(String(e.kernel.retval)).toBe(String(e['skb-tracking'].skb));
    }
  });

  it('attaches and detaches a few hundred functions quickly', () => {
    expect({ readyS, below: readyS < READY_S * SLOWDOWN }).toEqual({ readyS, below: true });
    const attachMs = Number(/loaded and attached in (\d+) ms/.exec(result.stderr)?.[1]);
    expect({ attachMs, below: attachMs < ATTACH_S * SLOWDOWN * 1000 }).toEqual({ attachMs, below: true });
    expect({ stopS, below: stopS < STOP_S * SLOWDOWN }).toEqual({ stopS, below: true });
  });

  it('leaves no program, link or ftrace hook behind', () => {
    const ids = new Set(ourProgs.map((p) => p.id));
    expect(ids.size).toBeGreaterThan(0);
    expect(bpftool<BpftoolProg>('prog', 'show').filter((p) => ids.has(p.id))).toEqual([]);
    expect(loadedProgramNames().filter((n) => n.startsWith('probe_'))).toEqual([]);
    const linkIds = new Set(ourLinks.map((l) => l.id));
    expect(bpftool<BpftoolLink>('link', 'show').filter((l) => linkIds.has(l.id))).toEqual([]);
    expect([...ftraceHooks().users.keys()]).toEqual([]);
  });
});
