#!/usr/bin/env node
/*
 * Cost of the userspace event path of `retis collect`: raw records in
 * ring-buffer batches, decoded and written as JSON lines, exactly as a
 * collection does (EventPipeline), without BPF. The records are those of the
 * collect-overhead benchmark (common, task, kernel and a 64-byte packet).
 *
 * Baseline, measured in the same run: JSON.stringify of the same events
 * already decoded (V8's own serializer, no decoding), written the same way.
 * The ratio is ours / baseline: below 1 is faster than stringify alone.
 *
 * Usage: node bench/event-path.js [--events N] [--rounds N] [--out FILE]
 *   --out defaults to /dev/null (no page-cache cost); give a file to include it.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const core = require(path.join(ROOT, 'packages/core/lib'));
const skb = require(path.join(ROOT, 'packages/collector-skb/lib'));
const { EventPipeline } = require(path.join(ROOT, 'packages/core/lib/collect/pipeline'));
const { SkbFactory } = require(path.join(ROOT, 'packages/collector-skb/lib/decode'));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const EVENTS = Number(opt('--events', 200000));
const ROUNDS = Number(opt('--rounds', 3));
const OUT = opt('--out', '/dev/null');
const BATCH = 2000;
const SKB_OWNER = 6;

/** One ring-buffer batch: records as the reader hands them over. */
function buildBatch(first) {
  const frame = Buffer.from('02000000000202000000000108004500003200004000401100000c0000010c000002c35023280', 'hex');
  const records = [];
  for (let i = 0; i < BATCH; i++) {
    const packet = Buffer.alloc(8 + 64);
    packet.writeUInt32LE(64, 0);
    packet.writeUInt32LE(64, 4);
    frame.copy(packet, 8);
    packet.writeUInt32LE(first + i, 40);
    records.push(new core.RawEventBuilder()
      .struct(1, 0, core.COMMON_EVENT_LAYOUT, { timestamp: 11198720387923n + BigInt(first + i) * 1375n, smp_id: i & 1 })
      .struct(1, 1, core.COMMON_TASK_EVENT_LAYOUT, { pid_tgid: (28202n << 32n) | 28202n, comm: i % 7 ? 'udp' : 'kworker/0:0' })
      .struct(2, 0, core.KERNEL_EVENT_LAYOUT, { symbol: 1n, stack_id: -1, type: 2 })
      .section(SKB_OWNER, 1, packet)
      .build());
  }
  const offsets = new Uint32Array(BATCH);
  const lengths = new Uint32Array(BATCH);
  let at = 0;
  records.forEach((r, i) => {
    offsets[i] = at;
    lengths[i] = r.length;
    at += (r.length + 7) & ~7;
  });
  const data = Buffer.alloc(at);
  records.forEach((r, i) => r.copy(data, offsets[i]));
  return { data, offsets, lengths };
}

function registry() {
  return core.createCoreRegistry().registerAll(skb.SKB_SECTIONS, 'skb');
}

function ours(batches) {
  const pipeline = new EventPipeline({
    out: OUT, print: false, display: { multiLine: true, utc: false, linkLayer: false },
    stdout: process.stdout, sections: registry(), log: { warn() {}, error() {}, info() {}, debug() {} },
  });
  pipeline.setFactories([new SkbFactory(SKB_OWNER)], () => ({ name: 'net:netif_receive_skb', probeType: 'raw_tracepoint' }));
  const t0 = process.hrtime.bigint();
  for (let n = 0; n < EVENTS; n += BATCH) {
    const b = batches[(n / BATCH) % batches.length];
    pipeline.processBatch(b.data, b.offsets, b.lengths);
  }
  pipeline.close();
  return Number(process.hrtime.bigint() - t0) / EVENTS;
}

/** Baseline: the same events, decoded beforehand, through JSON.stringify. */
function baseline(batches) {
  const table = new core.FactoryTable([new core.CommonFactory(), new core.KernelFactory({
    resolveSymbol: () => ({ name: 'net:netif_receive_skb', probeType: 'raw_tracepoint' }),
  }), new SkbFactory(SKB_OWNER)], () => {});
  const decoded = batches.map((b) => Array.from(b.offsets, (o, i) => {
    const e = core.parseRawEvent(b.data, o, b.lengths[i], table, {});
    // JSON.stringify has no bigint: the same digits as numbers.
    e.common.timestamp = Number(e.common.timestamp);
    return e;
  }));
  const fd = fs.openSync(OUT, 'w');
  const t0 = process.hrtime.bigint();
  let file = '';
  for (let n = 0; n < EVENTS; n += BATCH) {
    for (const e of decoded[(n / BATCH) % decoded.length]) {
      file += JSON.stringify(e) + '\n';
      if (file.length >= 65536) {
        fs.writeSync(fd, file);
        file = '';
      }
    }
  }
  if (file) fs.writeSync(fd, file);
  fs.closeSync(fd);
  return Number(process.hrtime.bigint() - t0) / EVENTS;
}

const batches = Array.from({ length: 8 }, (_, i) => buildBatch(i * BATCH));
const res = { ours: [], baseline: [] };
for (let r = 0; r < ROUNDS; r++) {
  res.baseline.push(baseline(batches));
  res.ours.push(ours(batches));
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`event-path: ${EVENTS} events x ${ROUNDS} round(s) to ${OUT} (median)`);
console.log(`baseline (JSON.stringify of decoded events) ${median(res.baseline).toFixed(0)} ns/event`);
console.log(`retis (decode + JSON + write)             ${median(res.ours).toFixed(0)} ns/event   ratio ${(median(res.ours) / median(res.baseline)).toFixed(2)}`);
if (OUT !== '/dev/null') fs.rmSync(OUT, { force: true });
