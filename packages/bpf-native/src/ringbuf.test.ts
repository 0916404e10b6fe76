import { bpfFixture, rawTpArgs, u32 } from '../test/bpf-fixtures';
import type { BpfObject, RingBufferReader } from './api';
import { BpfError, bpfNative } from './index';

interface Seen {
  calls: number;
  seqs: bigint[];
  badRecords: number;
  bytes: number;
}

// A record of ringbuf.bpf.c: seq n, then 3n, 5n, 7n, cut to 8 + (n % 4) * 8 bytes.
function checkRecord(data: Buffer, offset: number, length: number): bigint | undefined {
  const seq = data.readBigUInt64LE(offset);
  if (length !== 8 + Number(seq % 4n) * 8) return undefined;
  for (let i = 1; i < length / 8; i++) {
    if (data.readBigUInt64LE(offset + i * 8) !== seq * BigInt(2 * i + 1)) return undefined;
  }
  return seq;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ring buffer records');
    await sleep(5);
  }
}

// Blocks the JavaScript thread, as a slow consumer would.
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('ringBuffer', () => {
  let obj: BpfObject;
  let readers: RingBufferReader[] = [];

  const load = async (ringBytes?: number): Promise<void> => {
    obj = bpfNative.openObject(bpfFixture('ringbuf'));
    if (ringBytes !== undefined) obj.map('events').setMaxEntries(ringBytes);
    await obj.load();
  };
  const burst = (count: number, first = 0): void => {
    bpfNative.testRun(obj.program('burst').fd, Buffer.alloc(0), rawTpArgs(count, first));
  };
  const lost = (): bigint => bpfNative.map.lookup(obj.map('lost').fd, u32(0), 8)!.readBigUInt64LE();
  const reader = (seen: Seen, perBatch?: () => void): RingBufferReader => {
    const r = bpfNative.ringBuffer(obj.map('events').fd, (data, offsets, lengths) => {
      seen.calls++;
      seen.bytes += data.length;
      for (let i = 0; i < offsets.length; i++) {
        const seq = checkRecord(data, offsets[i], lengths[i]);
        if (seq === undefined) seen.badRecords++;
        else seen.seqs.push(seq);
      }
      perBatch?.();
    });
    readers.push(r);
    return r;
  };
  const fresh = (): Seen => ({ calls: 0, seqs: [], badRecords: 0, bytes: 0 });
  const inOrder = (seqs: bigint[], count: number): boolean =>
    seqs.length === count && seqs.every((s, i) => s === BigInt(i));

  afterEach(async () => {
    await Promise.all(readers.map((r) => r.stop()));
    readers = [];
    obj.close();
  });

  it('delivers a burst of 100000 records complete, in order, in few batches', async () => {
    await load();
    const seen = fresh();
    const r = reader(seen);
    r.start();
    burst(100_000);
    await waitFor(() => seen.seqs.length + seen.badRecords >= 100_000, 10_000);
    await r.stop();

    expect(lost()).toBe(0n);
    expect(seen.badRecords).toBe(0);
    expect(inOrder(seen.seqs, 100_000)).toBe(true);
    expect(seen.calls).toBeLessThan(1000);
    const stats = r.stats();
    // The reader runs while the burst is produced: small batches may fill the
    // queue while this thread is still busy (stalls), but none is lost.
    expect(stats).toEqual({ batches: seen.calls, events: 100_000, bytes: seen.bytes, stalls: expect.any(Number) });
    // Record n holds 8 + (n % 4) * 8 bytes: 20 bytes on average.
    expect(stats.bytes).toBe(100_000 * 20);
  });

  it('drains what the kernel holds when stopped', async () => {
    await load();
    const seen = fresh();
    burst(30_000);
    const r = reader(seen);
    r.start();
    burst(20_000, 30_000);
    await r.stop();
    expect(inOrder(seen.seqs, 50_000)).toBe(true);
    expect(r.stats().events).toBe(50_000);
  });

  it('waits for a slow consumer instead of dropping batches', async () => {
    await load();
    const seen = fresh();
    const r = reader(seen, () => blockFor(2));
    r.start();
    // Separate wakeups while this thread is busy: more batches than the
    // 16-batch queue holds.
    for (let i = 0; i < 40; i++) {
      burst(1000, i * 1000);
      blockFor(8);
    }
    await r.stop();
    expect(inOrder(seen.seqs, 40_000)).toBe(true);
    expect(lost()).toBe(0n);
    expect(r.stats().stalls).toBeGreaterThan(0);
  });

  it('resolves stop() at once when never started, and rejects a second start', async () => {
    await load();
    const r = reader(fresh());
    await r.stop();
    const s = reader(fresh());
    s.start();
    expect(() => s.start()).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    await s.stop();
    await s.stop();
  });

  it('refuses a map that is not a ring buffer', async () => {
    await load();
    expect(() => bpfNative.ringBuffer(obj.map('lost').fd, () => undefined)).toThrow(BpfError);
    expect(() => bpfNative.ringBuffer(-1, () => undefined)).toThrow(TypeError);
  });

  it('measures delivery throughput to JavaScript', async () => {
    // 2M records fill about 56 MiB of a 64 MiB ring before the reader starts;
    // the time runs from start() to the last record seen by JavaScript.
    const total = 2_000_000;
    const measure = async (label: string, consume: (data: Buffer, offsets: Uint32Array) => number): Promise<number> => {
      await load(1 << 26);
      burst(total);
      expect(lost()).toBe(0n);
      let events = 0;
      let calls = 0;
      const r = bpfNative.ringBuffer(obj.map('events').fd, (data, offsets) => {
        calls++;
        events += consume(data, offsets);
      });
      readers.push(r);
      const start = process.hrtime.bigint();
      r.start();
      await waitFor(() => events >= total, 30_000);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      await r.stop();
      readers = [];
      obj.close();
      expect(events).toBe(total);
      const rate = total / seconds;
      console.log(
        `ring buffer -> JS, ${label}: ${total} records in ${(seconds * 1000).toFixed(0)} ms ` +
          `(${(rate / 1e6).toFixed(2)} M records/s, ${calls} batches)`,
      );
      return rate;
    };
    const counting = await measure('counting consumer', (_data, offsets) => offsets.length);
    const reading = await measure('consumer reading each sequence number', (data, offsets) => {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let n = 0;
      for (let i = 0; i < offsets.length; i++) if (view.getBigUint64(offsets[i], true) >= 0n) n++;
      return n;
    });
    await load();
    expect(counting).toBeGreaterThan(1e6);
    expect(reading).toBeGreaterThan(1e6);
  }, 60_000);
});
