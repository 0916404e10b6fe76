import { bpfFixture, rawTpArgs } from '../test/bpf-fixtures';
import type { BpfObject } from './api';
import { BpfError, bpfNative } from './index';

// The placeholder of test/fixtures/splice.bpf.c: `call 0x7e7e0001`.
const FILTER_MAGIC = 0x7e7e0001;

function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(code, 0);
  b.writeUInt8((src << 4) | dst, 1);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}

// r0 = args[0] > 5 ? 100 : 200, with internal jumps (one to the end of the
// block) and a two-slot ld_imm64 in the middle:
//   0: r0 = *(u64 *)(r1 + 0)
//   1: if w0 > 5 goto 5          (BPF_JMP32)
//   2: r0 = 200 ll               (2 slots)
//   4: goto 6                    (end of block)
//   5: r0 = 100
const FILTER_BLOCK = Buffer.concat([
  insn(0x79, 0, 1, 0, 0),
  insn(0x26, 0, 0, 3, 5),
  insn(0x18, 0, 0, 0, 200),
  insn(0x00, 0, 0, 0, 0),
  insn(0x05, 0, 0, 1, 0),
  insn(0xb7, 0, 0, 0, 100),
]);
// r0 = 1
const CONSTANT_BLOCK = insn(0xb7, 0, 0, 0, 1);

// What the C code of splice.bpf.c computes, given the filter's value.
const filter = (a: number): number => (a > 5 ? 100 : 200);
const straight = (a: number, b: number, f = filter): number => a + 1000 + ((a >>> 0) !== 7 ? f(a) : 0) + (b & 7) * 10;
const loop = (a: number, b: number, f = filter): number => {
  const n = b & 7;
  return n * f(a) + (n * (n - 1)) / 2 + 2 * f(a) + 1000;
};

function countPlaceholders(insns: Buffer, magic: number): number {
  let found = 0;
  for (let off = 0; off < insns.length; off += 8) {
    if (insns[off] === 0x85 && insns[off + 1] >> 4 === 0 && insns.readInt32LE(off + 4) === magic) found++;
  }
  return found;
}

function countBlocks(insns: Buffer, block: Buffer): number {
  let found = 0;
  for (let at = insns.indexOf(block); at >= 0; at = insns.indexOf(block, at + 8)) {
    if (at % 8 === 0) found++;
  }
  return found;
}

describe('patchCalls', () => {
  let obj: BpfObject | undefined;
  afterEach(() => obj?.close());

  // splice_high has its own placeholder: only loaded by the test about it.
  const openSplice = (withHigh = false): BpfObject => {
    obj = bpfNative.openObject(bpfFixture('splice'));
    obj.program('splice_high').setAutoload(withHigh);
    return obj;
  };
  const run = (o: BpfObject, prog: string, a: number, b: number): number =>
    bpfNative.testRun(o.program(prog).fd, Buffer.alloc(0), rawTpArgs(a, b)).retval;

  it('leaves the placeholder for the verifier to refuse when nothing is patched', async () => {
    const error = (await openSplice().load().catch((e: unknown) => e)) as BpfError;
    expect(error).toBeInstanceOf(BpfError);
    expect(error.libbpfLog).toContain(`unknown#${FILTER_MAGIC}`);
  });

  it('splices the block at every placeholder, across jumps, loops and calls', async () => {
    const o = openSplice();
    const before = o.program('splice_straight').insns();
    expect(countPlaceholders(before, FILTER_MAGIC)).toBe(1);
    o.patchCalls(FILTER_MAGIC, FILTER_BLOCK);
    await o.load();

    for (const [a, b] of [[3, 0], [7, 1], [9, 5], [0, 7], [6, 3], [5, 2]]) {
      expect(run(o, 'splice_straight', a, b)).toBe(straight(a, b));
      expect(run(o, 'splice_loop', a, b)).toBe(loop(a, b));
    }
    // 2^32 + 7 passes the 32-bit `!= 7` test only through its low word.
    expect(run(o, 'splice_straight', 2 ** 32 + 7, 0)).toBe((2 ** 32 + 7 + 1000) % 2 ** 32);

    const straightInsns = o.program('splice_straight').insns();
    const loopInsns = o.program('splice_loop').insns();
    expect(countPlaceholders(straightInsns, FILTER_MAGIC)).toBe(0);
    expect(countPlaceholders(loopInsns, FILTER_MAGIC)).toBe(0);
    // splice_loop holds two placeholders once twice_filtered is appended.
    expect(countBlocks(straightInsns, FILTER_BLOCK)).toBe(1);
    expect(countBlocks(loopInsns, FILTER_BLOCK)).toBe(2);
  });

  it('uses the last block given for a magic', async () => {
    const o = openSplice();
    o.patchCalls(FILTER_MAGIC, FILTER_BLOCK);
    o.patchCalls(FILTER_MAGIC, CONSTANT_BLOCK);
    await o.load();
    expect(run(o, 'splice_straight', 3, 2)).toBe(straight(3, 2, () => 1));
    expect(run(o, 'splice_loop', 3, 4)).toBe(loop(3, 4, () => 1));
  });

  it.each([0xfffffff0, -16])('matches imm32 0xfffffff0 given as %d', async (magic) => {
    const o = openSplice(true);
    o.patchCalls(FILTER_MAGIC, CONSTANT_BLOCK);
    o.patchCalls(magic, FILTER_BLOCK);
    await o.load();
    expect(run(o, 'splice_high', 9, 0)).toBe(filter(9) + 1);
    expect(run(o, 'splice_high', 2, 0)).toBe(filter(2) + 1);
  });

  it('refuses blocks with exits, stray jumps, calls or half instructions', () => {
    const o = openSplice();
    expect(() => o.patchCalls(FILTER_MAGIC, insn(0x95, 0, 0, 0, 0))).toThrow(TypeError);
    expect(() => o.patchCalls(FILTER_MAGIC, Buffer.alloc(12))).toThrow(TypeError);
    expect(() => o.patchCalls(1.5, CONSTANT_BLOCK)).toThrow(TypeError);
    expect(() => o.patchCalls(FILTER_MAGIC, insn(0x05, 0, 0, 2, 0))).toThrow(
      expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('jumps outside the block') }),
    );
    expect(() => o.patchCalls(FILTER_MAGIC, insn(0x85, 0, 1, 0, 0))).toThrow(/bpf-to-bpf call/);
    expect(() => o.patchCalls(FILTER_MAGIC, insn(0x18, 0, 0, 0, 1))).toThrow(/ld_imm64 without its second half/);
  });

  it('refuses patching after load', async () => {
    const o = openSplice();
    o.patchCalls(FILTER_MAGIC, FILTER_BLOCK);
    await o.load();
    expect(() => o.patchCalls(FILTER_MAGIC, CONSTANT_BLOCK)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
  });
});
