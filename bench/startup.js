#!/usr/bin/env node
/*
 * Start-up time: from exec to `N probe(s) loaded` for the default run
 * (`retis collect`: tp:net:netif_receive_skb, tp:net:net_dev_start_xmit and
 * the two tracking tracepoints skb:kfree_skb, skb:consume_skb), against
 * bpftrace attaching the same four tracepoints (from exec to its BEGIN
 * probe's output, which runs once every probe is attached). Both run in the
 * same invocation, alternating, for several rounds; the medians and their
 * ratio are printed. bpftrace reads tracepoint formats from tracefs: it is
 * mounted for the run when it is not, and unmounted after.
 *
 * Usage: node bench/startup.js [--rounds N] [--no-bpftrace]
 */
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const RETIS = path.join(ROOT, 'packages/cli/lib/bin.js');
const TRACEFS = '/sys/kernel/tracing';
const TRACEPOINTS = ['net:netif_receive_skb', 'net:net_dev_start_xmit', 'skb:kfree_skb', 'skb:consume_skb'];

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUNDS = opt('--rounds', 5);
const BPFTRACE = !args.includes('--no-bpftrace');

/**
 * Spawns a command, resolves with the ms from spawn to the first output line
 * matching `ready`, then interrupts it and waits for its exit (so that
 * nothing it attached outlives the measure).
 */
function timeToReady(cmd, argv, ready, stream) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let ms;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child[stream].setEncoding('utf8').on('data', (d) => {
      out += d;
      if (ms === undefined && ready.test(out)) {
        ms = Number(process.hrtime.bigint() - start) / 1e6;
        child.kill('SIGINT');
      }
    });
    const other = stream === 'stdout' ? 'stderr' : 'stdout';
    child[other].setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (ms === undefined) reject(new Error(`${cmd} never got ready (status ${status}, signal ${signal}):\n${out}`));
      else resolve(ms);
    });
  });
}

const retis = () => timeToReady(process.execPath, [RETIS, 'collect'], /\d+ probe\(s\) loaded/, 'stderr');

const bpftraceProgram = `${TRACEPOINTS.map((t) => `tracepoint:${t} { }`).join(' ')} BEGIN { printf("ready\\n"); }`;
const bpftrace = () => timeToReady('bpftrace', ['-e', bpftraceProgram], /^ready$/m, 'stdout');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function isMounted(dir) {
  return fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir);
}

async function main() {
  if (process.geteuid() !== 0) throw new Error('needs root (loads BPF programs)');
  if (!fs.existsSync(RETIS)) throw new Error(`${RETIS} not built: run pnpm run build first`);
  let mounted = false;
  if (BPFTRACE && !isMounted(TRACEFS)) {
    if (spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS]).status !== 0) throw new Error(`cannot mount tracefs on ${TRACEFS}`);
    mounted = true;
  }
  const unmount = () => {
    if (mounted) spawnSync('umount', [TRACEFS]);
    mounted = false;
  };
  process.on('SIGINT', () => {
    unmount();
    process.exit(130);
  });
  const times = { retis: [], bpftrace: [] };
  try {
    // One untimed run each: page cache, BTF and bpftrace's LLVM warm.
    await retis();
    if (BPFTRACE) await bpftrace();
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first: load on the machine spreads evenly.
      const order = round % 2 === 0 ? ['retis', 'bpftrace'] : ['bpftrace', 'retis'];
      const line = [];
      for (const who of order) {
        if (who === 'bpftrace' && !BPFTRACE) continue;
        const ms = await (who === 'retis' ? retis() : bpftrace());
        times[who].push(ms);
        line.push(`${who} ${ms.toFixed(0)} ms`);
      }
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }
  } finally {
    unmount();
  }
  const r = median(times.retis);
  console.log(`retis collect (${TRACEPOINTS.length} probes): median ${r.toFixed(0)} ms to "probe(s) loaded"`);
  if (BPFTRACE) {
    const b = median(times.bpftrace);
    console.log(`bpftrace (same ${TRACEPOINTS.length} tracepoints): median ${b.toFixed(0)} ms to BEGIN`);
    console.log(`ratio retis/bpftrace: ${(r / b).toFixed(2)}`);
  }
}

main().catch((e) => {
  console.error(`bench/startup: ${e.message}`);
  process.exit(1);
});
