#!/usr/bin/env node
/*
 * Cost of tracing on the packet path. A UDP flood between two network
 * namespaces runs for a fixed time, in one run:
 *   - untraced (the baseline),
 *   - under `retis collect -c skb,skb-drop -p tp:net:netif_receive_skb -o FILE`,
 *   - the same with `-f 'host 203.0.113.99'`, a packet filter matching nothing,
 *   - under a bpftrace one-liner printing each netif_receive_skb event,
 *   - with empty programs on the tracepoints the filtered collection uses
 *     (floor, not run by default): the kernel's own cost of running a
 *     program there, which the filtered collection cannot go under,
 * and prints the received packet rates, their ratio to the baseline, the
 * events written and the events lost. Ratios, not absolute rates, are the
 * result: these machines are shared and noisy.
 *
 * The sender runs on the first CPU and the receiver on the second: the
 * packet path (softirq) then runs on the sender's CPU, and so does the
 * freeing of each packet, which the receiver defers to the CPU that
 * allocated it. Left to the scheduler, the two would sometimes share a CPU
 * and the packets be freed where no tracepoint sees them: the figures would
 * depend on where they happened to land.
 *
 * Usage: node bench/collect-overhead.js [--seconds N] [--rounds N] [--modes retis,filtered,floor,...]
 *                                       [-- extra retis collect args]
 */
'use strict';
const { execFileSync, spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(__dirname, 'out');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = opt('--seconds', 3);
const ROUNDS = opt('--rounds', 1);
const modesArg = args.indexOf('--modes');
const MODES = modesArg >= 0 ? args[modesArg + 1].split(',') : ['untraced', 'retis', 'filtered', 'bpftrace'];
const dashdash = args.indexOf('--');
const EXTRA = dashdash >= 0 ? args.slice(dashdash + 1) : [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Builds OUT/name from bench/source with `cc argv...` when missing or older. */
function build(name, source, cc, argv) {
  fs.mkdirSync(OUT, { recursive: true });
  const out = path.join(OUT, name);
  const src = path.join(__dirname, source);
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) {
    execFileSync(cc, [...argv, '-o', out, src], { stdio: 'inherit' });
  }
  return out;
}

const buildUdp = () => build('udp', 'udp.c', 'cc', ['-O2', '-Wall']);
const buildFloor = () => build('floor.bpf.o', 'floor.bpf.c', 'clang',
  ['-O2', '-g', '-target', 'bpf', '-I', path.join(ROOT, 'bpf-common/include'), '-c']);

/** The CPUs of the sender and of the receiver. */
const SENDER_CPU = '0';
const RECEIVER_CPU = String(Math.min(1, os.cpus().length - 1));

function netns() {
  const id = process.pid % 100000;
  const a = `rb-a${id}`, b = `rb-b${id}`;
  const ip = (...x) => execFileSync('ip', x, { stdio: 'ignore' });
  ip('netns', 'add', a);
  ip('netns', 'add', b);
  ip('link', 'add', `ba${id}`, 'netns', a, 'type', 'veth', 'peer', 'name', `bb${id}`, 'netns', b);
  ip('-n', a, 'addr', 'add', '192.0.2.1/24', 'dev', `ba${id}`);
  ip('-n', b, 'addr', 'add', '192.0.2.2/24', 'dev', `bb${id}`);
  ip('-n', a, 'link', 'set', `ba${id}`, 'up');
  ip('-n', b, 'link', 'set', `bb${id}`, 'up');
  return { a, b, destroy: () => [a, b].forEach((n) => spawnSync('ip', ['netns', 'del', n])) };
}

/** Runs the flood; resolves with packets received per second. */
async function flood(udp, ns) {
  const recv = spawn('ip', ['netns', 'exec', ns.b, 'taskset', '-c', RECEIVER_CPU, udp, 'recv', '9000', String(SECONDS + 1)]);
  let got = '';
  recv.stdout.on('data', (d) => (got += d));
  const recvDone = new Promise((r) => recv.on('close', r));
  await sleep(300);
  const t0 = process.hrtime.bigint();
  execFileSync('ip', ['netns', 'exec', ns.a, 'taskset', '-c', SENDER_CPU, udp, 'send', '192.0.2.2', '9000', String(SECONDS)]);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  await recvDone;
  return Number(got.trim()) / elapsed;
}

/**
 * Lines of an output file (an events file can outgrow a string: read in
 * chunks), and the losses bpftrace reports there as `Lost N events` lines.
 */
function scanOutput(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const LOST = Buffer.from('Lost ');
  let lines = 0, lost = 0, lostLines = 0, n;
  // A line starting in one chunk and ending in the next: its head is kept.
  let carry = Buffer.alloc(0);
  try {
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        lines++;
        if (chunk.subarray(start, start + LOST.length).equals(LOST)) {
          lost += Number(chunk.toString('latin1', start, nl).split(' ')[1]) || 0;
          lostLines++;
        }
        start = nl + 1;
      }
      carry = Buffer.from(chunk.subarray(start));
    }
  } finally {
    fs.closeSync(fd);
  }
  return { lines, lost, lostLines };
}

/**
 * Starts a tracer; resolves once it is attached. Its stdout goes to a file,
 * never to a pipe: this process blocks while the flood runs, and a tracer
 * printing into a full pipe would stall and lose events for that reason.
 */
function startTracer(cmd, argv, readyRe, outFile) {
  const fd = fs.openSync(outFile, 'w');
  const child = spawn(cmd, argv, { stdio: ['ignore', fd, 'pipe'] });
  fs.closeSync(fd);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((r) => child.on('close', (code) => r({ code, stderr })));
  const head = () => {
    const b = Buffer.alloc(4096);
    const f = fs.openSync(outFile, 'r');
    const n = fs.readSync(f, b, 0, b.length, 0);
    fs.closeSync(f);
    return b.toString('latin1', 0, n);
  };
  const ready = (async () => {
    for (let i = 0; i < 600; i++) {
      if (readyRe.test(stderr) || readyRe.test(head())) return;
      if (child.exitCode !== null) throw new Error(`${cmd} exited: ${stderr}`);
      await sleep(50);
    }
    throw new Error(`${cmd} not ready: ${stderr}`);
  })();
  return { child, ready, done };
}

async function measure(udp, ns, mode) {
  if (mode === 'untraced') return { rate: await flood(udp, ns) };
  if (mode === 'retis' || mode === 'filtered') {
    const file = path.join(OUT, 'collect-overhead.data');
    // filtered: a packet filter that matches none of the flood, run in the kernel.
    const filter = mode === 'filtered' ? ['-f', 'host 203.0.113.99'] : [];
    const nodeArgs = (process.env.RETIS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const t = startTracer(process.execPath, [...nodeArgs, path.join(ROOT, 'packages/cli/lib/bin.js'), 'collect',
      '-c', 'skb,skb-drop', '-p', 'tp:net:netif_receive_skb', '-o', file, ...filter, ...EXTRA], /probe\(s\) loaded/,
    path.join(OUT, 'collect-overhead.stdout'));
    await t.ready;
    const rate = await flood(udp, ns);
    t.child.kill('SIGINT');
    const r = await t.done;
    const { lines } = scanOutput(file);
    if (process.env.RETIS_BENCH_KEEP) fs.copyFileSync(file, process.env.RETIS_BENCH_KEEP);
    const lost = /total events lost: (\d+)/.exec(r.stderr);
    fs.rmSync(file, { force: true });
    return { rate, events: Math.max(0, lines - 1), lost: lost ? Number(lost[1]) : 0, exit: r.code };
  }
  if (mode === 'floor') {
    const t = startTracer(process.execPath, [path.join(__dirname, 'floor.js'), buildFloor(),
      'netif_receive_skb', 'kfree_skb', 'consume_skb'], /probe\(s\) loaded/, path.join(OUT, 'collect-overhead.floor'));
    await t.ready;
    const rate = await flood(udp, ns);
    t.child.kill('SIGINT');
    const r = await t.done;
    if (r.code !== 0) throw new Error(`floor: ${r.stderr.trim()}`);
    return { rate };
  }
  // bpftrace prints each event; its own loss count shows as "Lost N events".
  const out = path.join(OUT, 'collect-overhead.bpftrace');
  const t = startTracer('bpftrace', ['-e',
    'tracepoint:net:netif_receive_skb { printf("%s %d %p\\n", str(args->name), args->len, args->skbaddr); }'],
  /Attaching \d+ probe/, out);
  await t.ready;
  const rate = await flood(udp, ns);
  t.child.kill('SIGINT');
  const r = await t.done;
  const printed = scanOutput(out);
  fs.rmSync(out, { force: true });
  const lost = [...r.stderr.matchAll(/Lost (\d+) events/g)].reduce((s, m) => s + Number(m[1]), 0) + printed.lost;
  // Printed lines minus the "Attaching N probe(s)..." one and the loss reports.
  return { rate, events: Math.max(0, printed.lines - 1 - printed.lostLines), lost };
}

(async () => {
  if (os.userInfo().uid !== 0) throw new Error('run as root');
  const udp = buildUdp();
  const ns = netns();
  // bpftrace finds tracepoints through tracefs: mount it for the run if needed.
  const tracefs = '/sys/kernel/tracing';
  const mounted = !fs.existsSync(`${tracefs}/available_events`) &&
    spawnSync('mount', ['-t', 'tracefs', 'nodev', tracefs]).status === 0;
  try {
    const modes = MODES.includes('untraced') ? MODES : ['untraced', ...MODES];
    const results = Object.fromEntries(modes.map((m) => [m, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) results[mode].push(await measure(udp, ns, mode));
    }
    const base = results.untraced.reduce((s, r) => s + r.rate, 0) / ROUNDS;
    console.log(`collect-overhead: ${SECONDS}s UDP flood x ${ROUNDS} round(s), 64-byte frames, netns veth pair`);
    console.log('mode       packets/s   ratio   events written   events lost');
    for (const mode of modes) {
      const rate = results[mode].reduce((s, r) => s + r.rate, 0) / ROUNDS;
      const ev = results[mode].map((r) => r.events).filter((e) => e !== undefined);
      const lost = results[mode].reduce((s, r) => s + (r.lost ?? 0), 0);
      console.log(`${mode.padEnd(10)} ${Math.round(rate).toString().padStart(9)}   ${(rate / base).toFixed(2).padStart(5)}   ${(ev.length ? String(ev.reduce((s, e) => s + e, 0)) : '-').padStart(14)}   ${String(mode === 'untraced' ? '-' : lost).padStart(11)}`);
    }
  } finally {
    ns.destroy();
    if (mounted) spawnSync('umount', [tracefs]);
  }
})().catch((e) => {
  console.error(`collect-overhead: ${e.message}`);
  process.exit(1);
});
