import { execFileSync } from 'child_process';
import { join } from 'path';
import { Worker } from 'worker_threads';

import { bpfFixture } from '../test/bpf-fixtures';

const ADDON = join(__dirname, '..', 'build', 'Release', 'bpf_native.node');

// Runs in a worker thread, straight on the native surface: loads and
// attaches, starts a ring buffer reader and a log handler, reports the
// kernel ids of what it created, and never closes anything.
const WORKER = `
const { parentPort, workerData } = require('worker_threads');
const { readFileSync } = require('fs');
const addon = require(workerData.addon);
const idOf = (fd, field) => Number(new RegExp(field + ':\\\\s+(\\\\d+)').exec(readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1]);
(async () => {
  addon.setLogHandler(() => {});
  const counter = addon.openObject(workerData.counter);
  for (const p of counter.programs()) p.setAutoload(p.name === 'count_raw_tp');
  await counter.load();
  const prog = counter.program('count_raw_tp');
  const links = [prog.attachRawTracepoint('sys_enter'), prog.attachRawTracepoint('sys_enter', 7n)];
  const ring = addon.openObject(workerData.ringbuf);
  await ring.load();
  const reader = addon.ringBuffer(ring.map('events').fd, () => {});
  reader.start();
  parentPort.postMessage({
    links: links.map((l) => idOf(l.fd, 'link_id')),
    progs: [idOf(prog.fd, 'prog_id'), idOf(ring.program('burst').fd, 'prog_id')],
  });
  setInterval(() => {}, 1000);
})();
`;

function exists(kind: 'link' | 'prog', id: number): boolean {
  try {
    execFileSync('bpftool', [kind, 'show', 'id', String(id)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('lifetime', () => {
  it('closes links, objects and readers a terminated worker left open', async () => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { addon: ADDON, counter: bpfFixture('counter'), ringbuf: bpfFixture('ringbuf') },
    });
    const ids = await new Promise<{ links: number[]; progs: number[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    for (const id of ids.links) expect(exists('link', id)).toBe(true);
    for (const id of ids.progs) expect(exists('prog', id)).toBe(true);

    await worker.terminate();

    // The kernel frees links and programs after an RCU grace period.
    const gone = async (kind: 'link' | 'prog', id: number): Promise<boolean> => {
      for (let i = 0; i < 100 && exists(kind, id); i++) await new Promise((r) => setTimeout(r, 10));
      return !exists(kind, id);
    };
    for (const id of ids.links) expect(await gone('link', id)).toBe(true);
    for (const id of ids.progs) expect(await gone('prog', id)).toBe(true);
  });
});
