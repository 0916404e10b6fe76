import {
  AluOp,
  alu32,
  alu64Reg,
  callHelper,
  decode,
  decodeCbpf,
  encode,
  Helper,
  isExit,
  isJump,
  jmp32,
  jmpReg,
  JmpOp,
  ja,
  ldImm64,
  ldxMem,
  mov32Imm,
  Reg,
  Size,
  stMem,
  toBigEndian,
  type Insn,
} from './insn';

const hex = (b: Buffer): string => b.toString('hex');

describe('eBPF encoding', () => {
  // Expected bytes: `llvm-mc -triple bpf -mcpu=v3` on the assembly in the test name.
  it.each<[string, Insn[], string]>([
    ['w0 = 262144', [mov32Imm(Reg.R0, 0x40000)], 'b400000000000400'],
    ['r8 = *(u64 *)(r6 + 0)', [ldxMem(Size.DW, Reg.R8, Reg.R6, 0)], '7968000000000000'],
    ['if w0 == 6 goto +3', [jmp32(JmpOp.JEQ, Reg.R0, 6, 3)], '1600030006000000'],
    ['r1 = 0x1122334455667788 ll', ldImm64(Reg.R1, 0x1122334455667788n), '18010000887766550000000044332211'],
    ['call 113', [callHelper(Helper.PROBE_READ_KERNEL)], '8500000071000000'],
    ['r0 = be16 r0', [toBigEndian(Reg.R0, 16)], 'dc00000010000000'],
    ['r3 += r8', [alu64Reg(AluOp.ADD, Reg.R3, Reg.R8)], '0f83000000000000'],
    ['w0 = -w0', [alu32(AluOp.NEG, Reg.R0, 0)], '8400000000000000'],
    ['if r0 s> r2 goto -2', [jmpReg(JmpOp.JSGT, Reg.R0, Reg.R2, -2)], '6d20feff00000000'],
  ])('%s', (_asm, insns, bytes) => {
    expect(hex(encode(insns))).toBe(bytes);
  });

  it('writes negative offsets and immediates as two-complement', () => {
    expect(hex(encode([stMem(Size.W, Reg.FP, -72, -1)]))).toBe('620ab8ffffffffff');
  });

  it('keeps the full 64-bit value of ld_imm64, negative ones included', () => {
    const [low, high] = ldImm64(Reg.R2, -2n);
    expect([low.imm, high.imm]).toEqual([-2, -1]);
  });

  it('decodes what it encodes', () => {
    const insns = [mov32Imm(Reg.R0, 7), ja(-3), ...ldImm64(Reg.R9, 1n << 40n), jmp32(JmpOp.JSET, Reg.R7, 0x80000000 | 0, 5)];
    expect(decode(encode(insns))).toEqual(insns);
  });

  it('tells jumps from calls and exits', () => {
    expect(isJump(ja(0))).toBe(true);
    expect(isJump(jmp32(JmpOp.JGT, Reg.R0, 1, 0))).toBe(true);
    expect(isJump(callHelper(1))).toBe(false);
    const exit = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
    expect(isJump(exit)).toBe(false);
    expect(isExit(exit)).toBe(true);
  });
});

describe('cBPF decoding', () => {
  it('splits libpcap instructions into code, jt, jf and k', () => {
    // `tcpdump -dd ip`: { 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000800 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0 }
    const bytes = Buffer.alloc(32);
    [[0x28, 0, 0, 12], [0x15, 0, 1, 0x800], [0x6, 0, 0, 0x40000], [0x6, 0, 0, 0]].forEach(([code, jt, jf, k], i) => {
      bytes.writeUInt16LE(code, i * 8);
      bytes[i * 8 + 2] = jt;
      bytes[i * 8 + 3] = jf;
      bytes.writeUInt32LE(k, i * 8 + 4);
    });
    expect(decodeCbpf(bytes)).toEqual([
      { code: 0x28, jt: 0, jf: 0, k: 12 },
      { code: 0x15, jt: 0, jf: 1, k: 0x800 },
      { code: 0x06, jt: 0, jf: 0, k: 0x40000 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
  });

  it('reads k as unsigned', () => {
    const bytes = Buffer.from('0500000000f0ffff', 'hex');
    expect(decodeCbpf(bytes)[0].k).toBe(0xfffff000);
  });

  it('refuses a truncated program', () => {
    expect(() => decodeCbpf(Buffer.alloc(12))).toThrow('cBPF program size 12 is not a non-zero multiple of 8');
    expect(() => decodeCbpf(Buffer.alloc(0))).toThrow('not a non-zero multiple of 8');
  });
});
