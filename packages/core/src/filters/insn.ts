/**
 * eBPF instruction encoding and cBPF decoding, as the filter generators need
 * them (kernel Documentation/bpf/standardization/instruction-set.rst and
 * include/uapi/linux/filter.h).
 *
 * An eBPF instruction is 8 bytes in host byte order:
 *   u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm
 * `ld_imm64` takes two of them. A cBPF instruction is also 8 bytes:
 *   u16 code; u8 jt; u8 jf; u32 k
 */
import { endianness } from 'os';

const LITTLE_ENDIAN = endianness() === 'LE';

export const INSN_SIZE = 8;

/** Instruction classes (low 3 bits of the opcode). */
export const Class = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  /** cBPF only: return. */
  RET: 0x06,
  /** cBPF only: TAX/TXA. */
  MISC: 0x07,
  /** eBPF only (shares RET's value). */
  JMP32: 0x06,
  /** eBPF only (shares MISC's value). */
  ALU64: 0x07,
} as const;

/** Access sizes of loads and stores. */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export type Size = (typeof Size)[keyof typeof Size];

/** Addressing modes of loads and stores. */
export const Mode = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0 } as const;

/** Operand source: the immediate (K) or a register (X). */
export const Src = { K: 0x00, X: 0x08 } as const;

/** ALU operations (cBPF and eBPF share the values they both have). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
} as const;
export type AluOp = (typeof AluOp)[keyof typeof AluOp];

/** Jump operations. JLT and the ones after it are eBPF only. */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
} as const;
export type JmpOp = (typeof JmpOp)[keyof typeof JmpOp];

/** BPF_END source bit: convert to big-endian. */
const TO_BE = 0x08;

/** Registers. r10 is the read-only frame pointer. */
export const Reg = { R0: 0, R1: 1, R2: 2, R3: 3, R4: 4, R5: 5, R6: 6, R7: 7, R8: 8, R9: 9, FP: 10 } as const;
export type Reg = (typeof Reg)[keyof typeof Reg];

/** Kernel helper ids used by the filters (include/uapi/linux/bpf.h). */
export const Helper = { PROBE_READ_KERNEL: 113, PROBE_READ_KERNEL_STR: 115 } as const;

/** One eBPF instruction slot. `imm` holds the 32-bit value, signed or not. */
export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function insn(code: number, dst: number, src: number, off: number, imm: number): Insn {
  return { code, dst, src, off, imm };
}

export const mov64Reg = (dst: Reg, src: Reg): Insn => insn(Class.ALU64 | AluOp.MOV | Src.X, dst, src, 0, 0);
export const mov64Imm = (dst: Reg, imm: number): Insn => insn(Class.ALU64 | AluOp.MOV | Src.K, dst, 0, 0, imm);
export const mov32Reg = (dst: Reg, src: Reg): Insn => insn(Class.ALU | AluOp.MOV | Src.X, dst, src, 0, 0);
export const mov32Imm = (dst: Reg, imm: number): Insn => insn(Class.ALU | AluOp.MOV | Src.K, dst, 0, 0, imm);

export const alu64 = (op: AluOp, dst: Reg, imm: number): Insn => insn(Class.ALU64 | op | Src.K, dst, 0, 0, imm);
export const alu64Reg = (op: AluOp, dst: Reg, src: Reg): Insn => insn(Class.ALU64 | op | Src.X, dst, src, 0, 0);
export const alu32 = (op: AluOp, dst: Reg, imm: number): Insn => insn(Class.ALU | op | Src.K, dst, 0, 0, imm);
export const alu32Reg = (op: AluOp, dst: Reg, src: Reg): Insn => insn(Class.ALU | op | Src.X, dst, src, 0, 0);

/** dst = to_be16/32/64(dst): a byte swap on little-endian hosts, zero-extending. */
export const toBigEndian = (dst: Reg, bits: 16 | 32 | 64): Insn => insn(Class.ALU | AluOp.END | TO_BE, dst, 0, 0, bits);

/** dst = *(size *)(src + off) */
export const ldxMem = (size: Size, dst: Reg, src: Reg, off: number): Insn =>
  insn(Class.LDX | Mode.MEM | size, dst, src, off, 0);
/** *(size *)(dst + off) = src */
export const stxMem = (size: Size, dst: Reg, src: Reg, off: number): Insn =>
  insn(Class.STX | Mode.MEM | size, dst, src, off, 0);
/** *(size *)(dst + off) = imm */
export const stMem = (size: Size, dst: Reg, off: number, imm: number): Insn =>
  insn(Class.ST | Mode.MEM | size, dst, 0, off, imm);

/** dst = a 64-bit constant: two slots, the second holding the high half. */
export function ldImm64(dst: Reg, value: bigint): [Insn, Insn] {
  const bits = BigInt.asUintN(64, value);
  return [
    insn(Class.LD | Mode.IMM | Size.DW, dst, 0, 0, Number(bits & 0xffffffffn) | 0),
    insn(0, 0, 0, 0, Number(bits >> 32n) | 0),
  ];
}

/** if (dst op imm) goto pc + 1 + off, 64-bit compare (imm sign-extended). */
export const jmp = (op: JmpOp, dst: Reg, imm: number, off: number): Insn =>
  insn(Class.JMP | op | Src.K, dst, 0, off, imm);
export const jmpReg = (op: JmpOp, dst: Reg, src: Reg, off: number): Insn =>
  insn(Class.JMP | op | Src.X, dst, src, off, 0);
/** if ((u32)dst op (u32)imm) goto pc + 1 + off */
export const jmp32 = (op: JmpOp, dst: Reg, imm: number, off: number): Insn =>
  insn(Class.JMP32 | op | Src.K, dst, 0, off, imm);
export const jmp32Reg = (op: JmpOp, dst: Reg, src: Reg, off: number): Insn =>
  insn(Class.JMP32 | op | Src.X, dst, src, off, 0);
/** goto pc + 1 + off */
export const ja = (off: number): Insn => insn(Class.JMP | JmpOp.JA, 0, 0, off, 0);
/** Call a kernel helper; r1-r5 are its arguments and are clobbered, r0 is its result. */
export const callHelper = (id: number): Insn => insn(Class.JMP | JmpOp.CALL, 0, 0, 0, id);

export function isJump(i: Insn): boolean {
  const cls = i.code & 0x07;
  const op = i.code & 0xf0;
  return (cls === Class.JMP || cls === Class.JMP32) && op !== JmpOp.CALL && op !== JmpOp.EXIT;
}

export function isExit(i: Insn): boolean {
  const cls = i.code & 0x07;
  return (cls === Class.JMP || cls === Class.JMP32) && (i.code & 0xf0) === JmpOp.EXIT;
}

export function isLdImm64(i: Insn): boolean {
  return i.code === (Class.LD | Mode.IMM | Size.DW);
}

/** The kernel's byte form of the instructions (what patchCalls takes). */
export function encode(insns: readonly Insn[]): Buffer {
  const out = Buffer.alloc(insns.length * INSN_SIZE);
  insns.forEach((i, n) => {
    const at = n * INSN_SIZE;
    out[at] = i.code;
    // The two 4-bit register fields are a C bitfield: dst first in memory order.
    out[at + 1] = LITTLE_ENDIAN ? (i.src << 4) | i.dst : (i.dst << 4) | i.src;
    if (LITTLE_ENDIAN) {
      out.writeInt16LE(i.off, at + 2);
      out.writeInt32LE(i.imm | 0, at + 4);
    } else {
      out.writeInt16BE(i.off, at + 2);
      out.writeInt32BE(i.imm | 0, at + 4);
    }
  });
  return out;
}

/** The inverse of encode (used to check generated bytes and to read programs back). */
export function decode(bytes: Buffer): Insn[] {
  if (bytes.length % INSN_SIZE !== 0) throw new Error(`eBPF program size ${bytes.length} is not a multiple of 8`);
  const out: Insn[] = [];
  for (let at = 0; at < bytes.length; at += INSN_SIZE) {
    const regs = bytes[at + 1];
    out.push({
      code: bytes[at],
      dst: LITTLE_ENDIAN ? regs & 0x0f : regs >> 4,
      src: LITTLE_ENDIAN ? regs >> 4 : regs & 0x0f,
      off: LITTLE_ENDIAN ? bytes.readInt16LE(at + 2) : bytes.readInt16BE(at + 2),
      imm: LITTLE_ENDIAN ? bytes.readInt32LE(at + 4) : bytes.readInt32BE(at + 4),
    });
  }
  return out;
}

/** One classic BPF instruction, as libpcap's pcap_compile produces it. */
export interface CbpfInsn {
  code: number;
  jt: number;
  jf: number;
  /** Unsigned 32-bit. */
  k: number;
}

/** Splits libpcap's `struct bpf_insn` array (host byte order). */
export function decodeCbpf(bytes: Buffer): CbpfInsn[] {
  if (bytes.length === 0 || bytes.length % INSN_SIZE !== 0) {
    throw new Error(`cBPF program size ${bytes.length} is not a non-zero multiple of 8`);
  }
  const out: CbpfInsn[] = [];
  for (let at = 0; at < bytes.length; at += INSN_SIZE) {
    out.push({
      code: LITTLE_ENDIAN ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at),
      jt: bytes[at + 2],
      jf: bytes[at + 3],
      k: LITTLE_ENDIAN ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at + 4),
    });
  }
  return out;
}
