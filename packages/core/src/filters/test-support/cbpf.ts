/**
 * Hand-written cBPF programs for the translation tests, spelled like
 * `tcpdump -d` output: ld(imm(7)), ldx(msh(14)), alu('add', x), ret(a) ...
 */
import { endianness } from 'os';
import { AluOp, Class, JmpOp, Mode, Size, Src, type CbpfInsn } from '../insn';

export type Operand = { src: 'k'; k: number } | { src: 'x' };
export const x: Operand = { src: 'x' };
export const k = (value: number): Operand => ({ src: 'k', k: value >>> 0 });

const insn = (code: number, value = 0, jt = 0, jf = 0): CbpfInsn => ({ code, jt, jf, k: value >>> 0 });
const sizeOf = { b: Size.B, h: Size.H, w: Size.W } as const;

export const ldImm = (value: number): CbpfInsn => insn(Class.LD | Mode.IMM | Size.W, value);
export const ldxImm = (value: number): CbpfInsn => insn(Class.LDX | Mode.IMM | Size.W, value);
export const ldAbs = (size: keyof typeof sizeOf, offset: number): CbpfInsn => insn(Class.LD | Mode.ABS | sizeOf[size], offset);
export const ldInd = (size: keyof typeof sizeOf, offset: number): CbpfInsn => insn(Class.LD | Mode.IND | sizeOf[size], offset);
export const ldxMsh = (offset: number): CbpfInsn => insn(Class.LDX | Mode.MSH | Size.B, offset);
export const ldLen = (): CbpfInsn => insn(Class.LD | Mode.LEN | Size.W);
export const ldxLen = (): CbpfInsn => insn(Class.LDX | Mode.LEN | Size.W);
export const ldMem = (slot: number): CbpfInsn => insn(Class.LD | Mode.MEM | Size.W, slot);
export const ldxMem = (slot: number): CbpfInsn => insn(Class.LDX | Mode.MEM | Size.W, slot);
export const st = (slot: number): CbpfInsn => insn(Class.ST, slot);
export const stx = (slot: number): CbpfInsn => insn(Class.STX, slot);
export const tax = (): CbpfInsn => insn(Class.MISC | 0x00);
export const txa = (): CbpfInsn => insn(Class.MISC | 0x80);
export const neg = (): CbpfInsn => insn(Class.ALU | AluOp.NEG);

type AluName = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';
const ALU: Record<AluName, number> = {
  add: AluOp.ADD, sub: AluOp.SUB, mul: AluOp.MUL, div: AluOp.DIV, mod: AluOp.MOD,
  and: AluOp.AND, or: AluOp.OR, xor: AluOp.XOR, lsh: AluOp.LSH, rsh: AluOp.RSH,
};
export const alu = (op: AluName, operand: Operand): CbpfInsn =>
  operand.src === 'x' ? insn(Class.ALU | ALU[op] | Src.X) : insn(Class.ALU | ALU[op] | Src.K, operand.k);

type JumpName = 'jeq' | 'jgt' | 'jge' | 'jset';
const JUMP: Record<JumpName, number> = { jeq: JmpOp.JEQ, jgt: JmpOp.JGT, jge: JmpOp.JGE, jset: JmpOp.JSET };
export const jump = (op: JumpName, operand: Operand, jt: number, jf: number): CbpfInsn =>
  operand.src === 'x' ? insn(Class.JMP | JUMP[op] | Src.X, 0, jt, jf) : insn(Class.JMP | JUMP[op] | Src.K, operand.k, jt, jf);
/** pc += 1 + offset (negative offsets jump back). */
export const ja = (offset: number): CbpfInsn => insn(Class.JMP | JmpOp.JA, offset);

export const retK = (value: number): CbpfInsn => insn(Class.RET | Src.K, value);
export const retA = (): CbpfInsn => insn(Class.RET | 0x10);

/** libpcap's `struct bpf_insn` array (host byte order), for pcapFilter. */
export function encodeCbpf(program: readonly CbpfInsn[]): Buffer {
  const le = endianness() === 'LE';
  const out = Buffer.alloc(program.length * 8);
  program.forEach((i, n) => {
    if (le) out.writeUInt16LE(i.code, n * 8);
    else out.writeUInt16BE(i.code, n * 8);
    out[n * 8 + 2] = i.jt;
    out[n * 8 + 3] = i.jf;
    if (le) out.writeUInt32LE(i.k, n * 8 + 4);
    else out.writeUInt32BE(i.k, n * 8 + 4);
  });
  return out;
}
