/**
 * Probe kinds on this kernel (raw tracepoints with cookies, no kprobes, no
 * BPF trampolines): clear errors for the kinds it lacks, stack traces,
 * wildcards and `retis inspect`. The kinds it lacks are tested in the VM
 * (test/vm/tests/).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, type NsPair } from './helpers/netns';
import { expectExit0, RETIS, type RetisResult, ROOT, runRetis } from './helpers/retis';
import { readEvents } from './helpers/events';
import { describeKernel } from './helpers/kernel';

jest.setTimeout(120_000);

const TRACEFS = '/sys/kernel/tracing';
let pair: NsPair;
let tmp: string;

beforeAll(() => {
  pair = createNsPair('prb');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-e2e-probes-'));
});

afterAll(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});


/**
 * Runs a shell snippet then retis in a private mount namespace: tracefs can
 * be mounted or unmounted there without touching the machine's mounts.
 */
function retisInMountNs(setup: string, args: string[]): RetisResult {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${setup}; exec "$@"`, 'sh',
    process.execPath, RETIS, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const WITH_TRACEFS = `mountpoint -q ${TRACEFS} || mount -t tracefs nodev ${TRACEFS}`;
const WITHOUT_TRACEFS = `umount -q ${TRACEFS} 2>/dev/null; umount -q /sys/kernel/debug 2>/dev/null; true`;

describeKernel(['!kprobe', '!kretprobe', '!fentry', '!fexit'], 'probe kinds this kernel lacks', () => {
  it.each([
    ['kprobe:ip_rcv', 'Cannot attach kprobe:ip_rcv: this kernel has no kprobe support'],
    ['ip_rcv', 'Cannot attach kprobe:ip_rcv: this kernel has no kprobe support'],
    ['kr:ip_rcv', 'Cannot attach kretprobe:ip_rcv: this kernel has no kretprobe support'],
    ['fentry:ip_rcv', 'Cannot attach fentry:ip_rcv: this kernel has no fentry (BPF trampoline) support'],
    ['fexit:ip_rcv', 'Cannot attach fexit:ip_rcv: this kernel has no fexit (BPF trampoline) support'],
  ])('-p %s is one clear error', (probe, message) => {
    const r = runRetis(['collect', '-c', 'skb', '-p', probe, '--cmd', 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`Error: ${message}`]);
  });

  describe('a collector that needs kprobes', () => {
    let plugin: string;
    beforeAll(() => {
      // A third-party collector, as discovery finds it through RETIS_PLUGINS.
      plugin = path.join(tmp, 'needs-kprobes');
      fs.mkdirSync(plugin);
      fs.writeFileSync(path.join(plugin, 'package.json'), JSON.stringify({
        name: 'retis-collector-needs-kprobes', version: '1.0.0', main: 'index.js',
        retis: { role: 'collector', name: 'needs-kprobes', apiVersion: 1 },
      }));
      fs.writeFileSync(path.join(plugin, 'index.js'), `
        class NeedsKprobes { init(ctx, reg) { reg.registerProbe('kprobe:ip_rcv'); } }
        exports.default = {
          $$type: '@retis/Collector',
          meta: { name: 'needs-kprobes', packageName: 'retis-collector-needs-kprobes', version: '1.0.0', apiVersion: 1 },
          knownKernelTypes: ['struct sk_buff *'],
          sections: [],
          collector: NeedsKprobes,
        };`);
    });

    it('is skipped by -c auto, with a debug line', () => {
      const r = runRetis(['--log-level', 'debug', 'collect', '-p', 'tp:net:netif_receive_skb', '--cmd', 'true'],
        { env: { RETIS_PLUGINS: plugin } });
      expectExit0(r);
      expect(r.stderr).toMatch(/DEBUG Collector needs-kprobes skipped: Cannot attach kprobe:ip_rcv: this kernel has no kprobe support\n/);
      expect(r.stderr).toMatch(/Collector\(s\) started: (?!.*needs-kprobes)/);
    });

    it('is an error when asked for by name', () => {
      const r = runRetis(['collect', '-c', 'needs-kprobes,skb', '-p', 'tp:net:netif_receive_skb', '--cmd', 'true'],
        { env: { RETIS_PLUGINS: plugin } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("Error: Could not start collector 'needs-kprobes': Cannot attach kprobe:ip_rcv: this kernel has no kprobe support");
    });
  });
});

describe('stack traces', () => {
  it('/stack adds the frames of that probe only, as symbol+0xoffset', () => {
    const out = path.join(tmp, 'stack.data');
    const r = runRetis(['collect', '-c', 'skb,dev', '-p', 'tp:net:netif_receive_skb/stack', '-p', 'tp:net:net_dev_start_xmit',
      '-o', out, '--cmd', `ip netns exec ${pair.a} ping -c 1 -W 2 ${pair.addrB}`]);
    expectExit0(r);
    const events = readEvents(out).slice(1);
    const rx = events.filter((e) => e.kernel.symbol === 'net:netif_receive_skb');
    const tx = events.filter((e) => e.kernel.symbol === 'net:net_dev_start_xmit');
    expect(rx.length).toBeGreaterThan(0);
    expect(tx.length).toBeGreaterThan(0);
    // Two different stacks may hash to the same stack_map bucket: that
    // event then has none (BPF_F_FAST_STACK_CMP, as the reference).
    const withStack = rx.filter((e) => e.kernel.stack_trace !== undefined);
    expect(withStack.length).toBeGreaterThan(0);
    for (const e of withStack) {
      const stack: string[] = e.kernel.stack_trace;
      expect(stack.length).toBeGreaterThan(2);
      for (const frame of stack) expect(frame).toMatch(/^([\w.]+\+0x[0-9a-f]+|0x[0-9a-f]+)$/);
      // The receive path is in there, by name.
      expect(stack.some((f) => /^(__netif_receive_skb\w*|process_backlog|net_rx_action)\+0x/.test(f))).toBe(true);
    }
    for (const e of tx) expect(e.kernel.stack_trace).toBeUndefined();
  });

  it('--stack adds them to every probe, and the console prints them', () => {
    const r = runRetis(['collect', '-c', 'skb', '-p', 'tp:net:net_dev_start_xmit', '--stack', '--format', 'single-line',
      '--cmd', `ip netns exec ${pair.a} ping -c 1 -W 2 ${pair.addrB}`]);
    expectExit0(r);
    const lines = r.stdout.split('\n').filter((l) => l.includes('[tp] net:net_dev_start_xmit'));
    expect(lines.length).toBeGreaterThan(0);
    // Single-line: the stack as [a, b, ...] after the first line's fields.
    // The echo request is sent from the ping process and has one; another
    // event may lack it when its stack id collided in stack_map (ids are
    // taken with BPF_F_FAST_STACK_CMP, as the reference does).
    const STACK = / \[(\w[\w.]*\+0x[0-9a-f]+, )+\w[\w.]*\+0x[0-9a-f]+\]/;
    expect(lines.find((l) => l.includes('type 8 code 0'))).toMatch(STACK);
    // Every stack printed is well formed.
    for (const l of lines.filter((x) => /\+0x/.test(x))) expect(l).toMatch(STACK);
  });
});

describe('wildcards', () => {
  it('need tracefs', () => {
    const r = retisInMountNs(WITHOUT_TRACEFS, ['collect', '-c', 'skb', '-p', 'tp:net:netif_receive*', '--cmd', 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Error: Could not get matching tracepoints as Retis can't access files in tracefs");
  });

  it('expand against available_events', () => {
    const list = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${WITH_TRACEFS}; cat ${TRACEFS}/available_events`],
      { encoding: 'utf8' }).stdout;
    const events = list.split('\n').filter((l) => l.startsWith('net:netif_receive_skb'));
    expect(events.length).toBeGreaterThan(1);
    const r = retisInMountNs(WITH_TRACEFS, ['collect', '-c', 'skb', '-p', 'tp:net:netif_receive_skb*', '--cmd', 'true']);
    expectExit0(r);
    // The *_exit events carry a return code, no skb: nothing to collect there.
    const exits = events.filter((e) => e.endsWith('_exit'));
    expect(exits.length).toBeGreaterThan(0);
    for (const e of exits) expect(r.stderr).toContain(`No probe was attached to tp:${e} as no collector could retrieve data from it`);
    // Every other listed event, plus the tracking probes (skb is tracked): the
    // reference's three kprobes where the kernel has kprobes, else two tracepoints.
    const tracking = fs.existsSync('/sys/bus/event_source/devices/kprobe') ? 3 : 2;
    expect(r.stderr).toContain(`${events.length - exits.length + tracking} probe(s) loaded`);
  });
});

describe('retis inspect', () => {
  it('--features says what this kernel accepts', () => {
    const r = runRetis(['inspect', '--features']);
    expectExit0(r);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('raw_tracepoint: yes');
    // Checked on the machine itself, not through the code under test.
    const hasKprobes = fs.existsSync('/sys/bus/event_source/devices/kprobe');
    expect(lines).toContain(`kprobe: ${hasKprobes ? 'yes' : 'no'}`);
    for (const l of lines) expect(l).toMatch(/^[a-z_]+: (yes|no)$/);
  });

  it('-p lists compatible tracepoints, sorted', () => {
    const r = retisInMountNs(WITH_TRACEFS, ['inspect', '-p', 'tp:skb:*']);
    expectExit0(r);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('tp:skb:kfree_skb');
    expect(lines).toContain('tp:skb:consume_skb');
    expect([...lines].sort()).toEqual(lines);
    for (const l of lines) expect(l).toMatch(/^tp:skb:\w+$/);
  });

  it('-p without tracefs lists tracepoints from BTF and says functions need tracefs', () => {
    const r = retisInMountNs(WITHOUT_TRACEFS, ['inspect', '-p', '*skb*']);
    expectExit0(r);
    expect(r.stdout.split('\n')).toContain('tp:*:kfree_skb');
    expect(r.stderr).toContain('Functions are not listed: listing kernel functions needs');
    // What it lists is usable as is.
    const c = retisInMountNs(WITHOUT_TRACEFS, ['collect', '-c', 'skb', '-p', 'tp:*:kfree_skb', '--cmd', 'true']);
    expect(c.stderr).toContain('probe(s) loaded');
    expectExit0(c);
  });

  it('without arguments prints its help', () => {
    const r = runRetis(['inspect']);
    expectExit0(r);
    expect(r.stdout).toContain('--features');
  });
});
