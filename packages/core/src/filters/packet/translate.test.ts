import { bpfNative } from '@retis/bpf-native';
import { encode, isExit, isJump, type CbpfInsn } from '../insn';
import { rejectAllBlock } from '../placeholders';
import {
  alu,
  encodeCbpf,
  ja,
  jump,
  k,
  ldAbs,
  ldImm,
  ldInd,
  ldLen,
  ldMem,
  ldxImm,
  ldxLen,
  ldxMem,
  ldxMsh,
  neg,
  retA,
  retK,
  st,
  stx,
  tax,
  txa,
  x,
} from '../test-support/cbpf';
import { PacketHarness, paddedView, wireLength, type HarnessPacket } from '../test-support/packet-harness';
import { MAX_BACKWARD_JUMPS, PACKET_PREFETCH, translateCbpf } from './translate';

const block = (program: CbpfInsn[]): Buffer => encode(translateCbpf(program));

describe('translateCbpf', () => {
  it('makes a block with no exit whose jumps stay inside it or go just past its end', () => {
    const insns = translateCbpf([ldAbs('h', 12), jump('jeq', k(0x800), 0, 1), retK(0x40000), retK(0)]);
    expect(insns.some(isExit)).toBe(false);
    insns.forEach((i, at) => {
      if (!isJump(i)) return;
      const to = at + 1 + i.off;
      expect(to).toBeGreaterThanOrEqual(0);
      expect(to).toBeLessThanOrEqual(insns.length);
    });
  });

  it.each<[string, CbpfInsn[], string]>([
    ['an unknown load mode', [{ code: 0xe0, jt: 0, jf: 0, k: 0 }, retA()], 'unsupported cBPF instruction: BPF_LD|BPF_W|BPF_MODE_0xe0 (opcode 0xe0) at 0'],
    ['BPF_MISC other than TAX/TXA', [{ code: 0x27, jt: 0, jf: 0, k: 0 }, retA()], 'BPF_MISC|BPF_OP_0x20 (opcode 0x27) at 0'],
    ['a word MSH load', [{ code: 0xa1, jt: 0, jf: 0, k: 14 }, retA()], 'BPF_LDX|BPF_W|BPF_MSH (opcode 0xa1) at 0'],
    ['an ALU op cBPF lacks', [{ code: 0xb4, jt: 0, jf: 0, k: 1 }, retA()], 'BPF_ALU|BPF_OP_0xb0|BPF_K (opcode 0xb4) at 0'],
    ['a jump eBPF-only op', [{ code: 0x55, jt: 0, jf: 0, k: 1 }, retA()], 'BPF_JMP|BPF_OP_0x50|BPF_K (opcode 0x55) at 0'],
    ['a load at a Linux ancillary offset', [ldAbs('w', 0xfffff000), retA()], 'load at offset 0xfffff000 is not supported: BPF_LD|BPF_W|BPF_ABS'],
    ['a scratch slot past M[15]', [ldMem(16), retA()], 'scratch slot M[16] does not exist'],
    ['a division by a zero constant', [alu('div', k(0)), retA()], 'division by zero: BPF_ALU|BPF_DIV|BPF_K'],
    ['a shift by 32', [alu('lsh', k(32)), retA()], 'shift by 32 bits: BPF_ALU|BPF_LSH|BPF_K'],
    ['a jump past the end', [jump('jeq', k(1), 5, 0), retA()], 'jump out of the program (to 6)'],
    ['a jump before the start', [ja(-2), retA()], 'jump out of the program (to -1)'],
    ['a program falling off its end', [ldImm(1)], 'the program does not end with a return'],
  ])('names the instruction it cannot translate: %s', (_what, program, message) => {
    expect(() => translateCbpf(program)).toThrow(message);
  });

  it('refuses an empty program', () => {
    expect(() => translateCbpf([])).toThrow('the cBPF program is empty');
  });

  it('refuses a loop when M[14] and M[15] are taken', () => {
    expect(() => translateCbpf([st(15), ja(-2), retA()])).toThrow('cannot use M[14] or M[15]');
  });

  it('loads the copied first bytes in one instruction and reads the others with the helper', () => {
    const size = (program: CbpfInsn[]): number => translateCbpf(program).length;
    const base = size([ldAbs('b', 0), retA()]);
    const cost = (load: CbpfInsn): number => size([ldAbs('b', 0), load, retA()]) - base;
    // Within the copy: the load, and the byte swap of halves and words.
    expect(cost(ldAbs('b', 1))).toBe(1);
    expect(cost(ldAbs('h', 1))).toBe(2);
    expect(cost(ldAbs('w', PACKET_PREFETCH - 4))).toBe(2);
    // Past it: fp-8 and size as arguments, data + k, the call, its error check, the load from fp-8.
    expect(cost(ldAbs('b', PACKET_PREFETCH))).toBe(8);
    expect(cost(ldAbs('w', PACKET_PREFETCH - 3))).toBe(9);
    // Indexed: the bound check and the load from the copy, or the read with X added.
    expect(cost(ldInd('w', 1))).toBe(18);
  });
});

/**
 * Hand-written programs whose result is A, run by libpcap's bpf_filter and by
 * the kernel on the same bytes: the exact return values must agree.
 */
describe('translated programs in the kernel', () => {
  // An IPv4 header at 14 with IHL 5, a TTL of 64 at 22, then bytes 0, 1, 2 ...
  // Longer than the copy of the first bytes the filter gets (PACKET_PREFETCH).
  const frame = Buffer.alloc(192, 0);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame[22] = 64;
  for (let i = 34; i < frame.length; i++) frame[i] = (i - 34) & 0xff;
  const packet: HarnessPacket = { bytes: frame, l3Offset: 14 };
  let harness: PacketHarness;

  beforeAll(async () => {
    harness = new PacketHarness(bpfNative);
    await harness.setPackets([packet]);
  });
  afterAll(() => harness.close());

  async function runInKernel(program: CbpfInsn[], copy = true): Promise<number> {
    const loaded = await harness.load(block(program), rejectAllBlock());
    try {
      return loaded.run(0, 2, { copy });
    } finally {
      loaded.close();
    }
  }

  function runInLibpcap(program: CbpfInsn[]): number {
    return bpfNative.pcapFilter(encodeCbpf(program), paddedView(packet, 2), wireLength(packet, 2));
  }

  it.each<[string, CbpfInsn[]]>([
    ['byte, half and word loads are big-endian', [ldAbs('w', 34), tax(), ldAbs('h', 36), alu('add', x), tax(), ldAbs('b', 39), alu('add', x), retA()]],
    ['indexed loads add X', [ldxImm(3), ldInd('h', 34), retA()]],
    ['a load straddling the end of the copied bytes is read whole', [ldAbs('w', PACKET_PREFETCH - 2), retA()]],
    ['loads past the copied bytes', [ldAbs('h', 150), tax(), ldAbs('b', PACKET_PREFETCH), alu('add', x), retA()]],
    ['indexed loads on each side of the end of the copied bytes',
      [ldxImm(20), ldInd('w', PACKET_PREFETCH - 24), st(0), ldInd('w', PACKET_PREFETCH - 23), tax(), ldMem(0), alu('xor', x), retA()]],
    ['LDX MSH past the copied bytes keeps A', [ldImm(7), ldxMsh(PACKET_PREFETCH + 2), alu('add', x), retA()]],
    ['an indexed load past 4 GiB rejects', [ldxImm(0xffffffff), ldInd('b', 23), retK(5)]],
    ['LDX MSH gives the header length and keeps A', [ldImm(7), ldxMsh(14), alu('add', x), retA()]],
    ['len is the wire length', [ldLen(), tax(), ldxLen(), txa(), alu('add', x), retA()]],
    ['ALU operations are 32-bit', [ldImm(0x10000), alu('mul', k(0x10001)), alu('add', k(0xffff0000)), retA()]],
    ['subtraction wraps', [ldImm(3), alu('sub', k(5)), retA()]],
    ['negation', [ldImm(5), neg(), retA()]],
    ['and, or, xor, shifts', [ldImm(0xf0f0), alu('and', k(0xff00)), alu('or', k(0x3)), alu('xor', k(0x101)), alu('lsh', k(4)), alu('rsh', k(2)), retA()]],
    ['division and modulo', [ldImm(1000), alu('div', k(7)), tax(), ldImm(1000), alu('mod', x), retA()]],
    ['division by X == 0 returns 0', [ldImm(10), ldxImm(0), alu('div', x), retK(99)]],
    ['modulo by X == 0 returns 0', [ldImm(10), ldxImm(0), alu('mod', x), retK(99)]],
    ['shift left by X >= 32 gives 0', [ldImm(0x80000001), ldxImm(32), alu('lsh', x), alu('add', k(5)), retA()]],
    ['shift right by X >= 32 gives 0', [ldImm(0x80000001), ldxImm(0xffffffff), alu('rsh', x), alu('add', k(5)), retA()]],
    ['shift by X < 32', [ldImm(0x80000001), ldxImm(31), alu('rsh', x), alu('add', k(5)), retA()]],
    ['scratch memory', [ldImm(11), st(0), ldxImm(22), stx(1), ldMem(1), tax(), ldxMem(0), txa(), retA()]],
    ['unsigned comparisons on 32 bits', [ldImm(0xfffffff0), jump('jgt', k(0x7fffffff), 0, 1), retK(1), retK(2)]],
    ['jge and jset against X', [ldImm(8), ldxImm(8), jump('jge', x, 0, 2), jump('jset', x, 0, 1), retK(3), retK(4)]],
    ['jt 0 with jf taken', [ldImm(5), jump('jeq', k(6), 0, 1), retK(10), retK(20)]],
    ['a bounded backward loop', [ldxImm(5), txa(), alu('sub', k(1)), tax(), jump('jeq', k(0), 1, 0), ja(-5), retK(77)]],
  ])('%s', async (_what, program) => {
    expect(await runInKernel(program)).toBe(runInLibpcap(program));
  });

  it('reads past the end of the packet instead of rejecting, as the reference does', async () => {
    // `ether[200] = 0` on a 192-byte frame: libpcap stops at the captured bytes,
    // the block reads the memory after them (zeroes in the harness).
    const program = [ldAbs('b', 200), jump('jeq', k(0), 0, 1), retK(0x40000), retK(0)];
    expect(bpfNative.pcapFilter(encodeCbpf(program), frame, frame.length)).toBe(0);
    expect(await runInKernel(program)).toBe(0x40000);
  });

  it('rejects when the first bytes of the packet could not be copied', async () => {
    expect(await runInKernel([retK(5)])).toBe(5);
    expect(await runInKernel([retK(5)], false)).toBe(0);
  });

  it('zeroes the scratch slots a program reads before writing', async () => {
    expect(await runInKernel([ldMem(5), alu('add', k(1)), retA()])).toBe(1);
  });

  it(`rejects once backward jumps were taken ${MAX_BACKWARD_JUMPS} times`, async () => {
    // Count the iterations in M[0]; loop until the count reaches `limit`.
    const loop = (limit: number): CbpfInsn[] => [
      ldMem(0), alu('add', k(1)), st(0), jump('jeq', k(limit), 1, 0), ja(-5), retK(0x40000),
    ];
    expect(await runInKernel(loop(MAX_BACKWARD_JUMPS + 1))).toBe(0x40000);
    expect(await runInKernel(loop(MAX_BACKWARD_JUMPS + 2))).toBe(0);
  });
});
