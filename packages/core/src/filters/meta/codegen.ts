/**
 * eBPF for a resolved meta filter (reference §6.2, "Codegen"), spliced in
 * place of filter_meta's placeholder: r1 = the skb on entry, verdict in r0
 * (0x40000 = match, 0 = no match) at the end of the block.
 *
 * Each term starts from the skb (r6) with r7 as the walking base, reads
 * every value with bpf_probe_read_kernel, and jumps to the term's true or
 * false label; `and`/`or` chain those labels, which short-circuits. A term
 * whose memory cannot be read (a NULL pointer on the way) is false, whatever
 * its operator.
 *
 * Stack: FP-8 holds numbers and pointers read, FP-48..FP-9 strings.
 */
import { BlockAssembler, type Label } from '../assembler';
import {
  AluOp,
  alu64,
  alu64Reg,
  callHelper,
  Helper,
  jmp,
  jmpReg,
  JmpOp,
  ldImm64,
  ldxMem,
  mov32Imm,
  mov64Imm,
  mov64Reg,
  Reg,
  Size,
  stMem,
  type Insn,
} from '../insn';
import { FILTER_MATCH, FILTER_NO_MATCH } from '../placeholders';
import type { CompareOp, MetaExpr, Term } from './ast';
import type { NumberLeaf, ResolvedTerm, StringLeaf } from './resolver';

const SKB = Reg.R6;
const BASE = Reg.R7;
export const NUMBER_BUFFER = -8;
export const STRING_BUFFER = -48;

const LOAD_SIZE: Record<number, Size> = { 1: Size.B, 2: Size.H, 4: Size.W, 8: Size.DW };

const UNSIGNED_JUMP: Record<CompareOp, JmpOp> = {
  '==': JmpOp.JEQ, '!=': JmpOp.JNE, '>': JmpOp.JGT, '>=': JmpOp.JGE, '<': JmpOp.JLT, '<=': JmpOp.JLE,
};
const SIGNED_JUMP: Record<CompareOp, JmpOp> = {
  '==': JmpOp.JEQ, '!=': JmpOp.JNE, '>': JmpOp.JSGT, '>=': JmpOp.JSGE, '<': JmpOp.JSLT, '<=': JmpOp.JSLE,
};

/** Whether a 64-bit value survives as a jump's sign-extended 32-bit immediate. */
function fitsImm32(value: bigint): boolean {
  const signed = BigInt.asIntN(64, value);
  return signed >= -(1n << 31n) && signed < 1n << 31n;
}

class MetaCodegen {
  readonly asm = new BlockAssembler();

  constructor(private readonly resolved: ReadonlyMap<Term, ResolvedTerm>) {}

  program(expr: MetaExpr): Insn[] {
    const { asm } = this;
    const match = asm.label('match');
    const noMatch = asm.label('no match');
    asm.jump(jmp(JmpOp.JEQ, Reg.R1, 0, 0), noMatch);
    asm.emit(mov64Reg(SKB, Reg.R1));
    this.expr(expr, match, noMatch);
    asm.bind(match);
    asm.emit(mov32Imm(Reg.R0, FILTER_MATCH));
    asm.goto(asm.end);
    asm.bind(noMatch);
    asm.emit(mov32Imm(Reg.R0, FILTER_NO_MATCH));
    asm.goto(asm.end);
    return asm.assemble();
  }

  /** Code that jumps to `whenTrue` or `whenFalse`, never falling through. */
  private expr(e: MetaExpr, whenTrue: Label, whenFalse: Label): void {
    if (e.kind === 'term') {
      this.term(e, whenTrue, whenFalse);
      return;
    }
    const right = this.asm.label(`right of ${e.kind}`);
    if (e.kind === 'and') this.expr(e.left, right, whenFalse);
    else this.expr(e.left, whenTrue, right);
    this.asm.bind(right);
    this.expr(e.right, whenTrue, whenFalse);
  }

  private term(term: Term, whenTrue: Label, whenFalse: Label): void {
    const resolved = this.resolved.get(term);
    if (resolved === undefined) throw new Error('meta filter term was not resolved');
    this.asm.emit(mov64Reg(BASE, SKB));
    for (const step of resolved.steps) {
      this.read(NUMBER_BUFFER, 8, step.offset, whenFalse);
      this.asm.emit(ldxMem(Size.DW, BASE, Reg.FP, NUMBER_BUFFER));
      if (step.mask !== undefined) this.asm.emit(...ldImm64(Reg.R1, step.mask), alu64Reg(AluOp.AND, BASE, Reg.R1));
    }
    if (resolved.leaf.kind === 'number') this.number(resolved.leaf, term, whenTrue, whenFalse);
    else this.string(resolved.leaf, term, whenTrue, whenFalse);
  }

  /** *(fp + buffer) = `size` bytes at base + offset, or goto `onError`. */
  private read(buffer: number, size: number, offset: number, onError: Label): void {
    this.asm.emit(
      mov64Reg(Reg.R1, Reg.FP),
      alu64(AluOp.ADD, Reg.R1, buffer),
      mov64Imm(Reg.R2, size),
      mov64Reg(Reg.R3, BASE),
      alu64(AluOp.ADD, Reg.R3, offset),
      callHelper(Helper.PROBE_READ_KERNEL),
    );
    this.asm.jump(jmp(JmpOp.JNE, Reg.R0, 0, 0), onError);
  }

  /** r1 = the member, zero- or sign-extended to 64 bits, masked; then the comparison. */
  private number(leaf: NumberLeaf, term: Term, whenTrue: Label, whenFalse: Label): void {
    const { asm } = this;
    const shiftRight = leaf.signed ? AluOp.ARSH : AluOp.RSH;
    if (leaf.bitfield !== undefined) {
      // The bytes spanning the field land in the low end of a zeroed u64 (little-endian).
      asm.emit(stMem(Size.DW, Reg.FP, NUMBER_BUFFER, 0));
      this.read(NUMBER_BUFFER, leaf.size, leaf.offset, whenFalse);
      const { shift, bits } = leaf.bitfield;
      asm.emit(
        ldxMem(Size.DW, Reg.R1, Reg.FP, NUMBER_BUFFER),
        alu64(AluOp.LSH, Reg.R1, 64 - shift - bits),
        alu64(shiftRight, Reg.R1, 64 - bits),
      );
    } else {
      this.read(NUMBER_BUFFER, leaf.size, leaf.offset, whenFalse);
      asm.emit(ldxMem(LOAD_SIZE[leaf.size], Reg.R1, Reg.FP, NUMBER_BUFFER));
      if (leaf.signed && leaf.size < 8) {
        const unused = 64 - 8 * leaf.size;
        asm.emit(alu64(AluOp.LSH, Reg.R1, unused), alu64(AluOp.ARSH, Reg.R1, unused));
      }
    }
    if (leaf.mask !== undefined) asm.emit(...ldImm64(Reg.R2, leaf.mask), alu64Reg(AluOp.AND, Reg.R1, Reg.R2));

    if (term.rhs.kind !== 'number') throw new Error('numeric meta filter term without a number');
    const op = (leaf.signed ? SIGNED_JUMP : UNSIGNED_JUMP)[term.op];
    const value = term.rhs.value;
    if (fitsImm32(value)) {
      asm.jump(jmp(op, Reg.R1, Number(BigInt.asIntN(32, value)), 0), whenTrue);
    } else {
      asm.emit(...ldImm64(Reg.R2, value));
      asm.jump(jmpReg(op, Reg.R1, Reg.R2, 0), whenTrue);
    }
    asm.goto(whenFalse);
  }

  private string(leaf: StringLeaf, term: Term, whenTrue: Label, whenFalse: Label): void {
    if (term.rhs.kind !== 'string') throw new Error('string meta filter term without a string');
    const expected = Buffer.from(term.rhs.value);
    const equal = term.op === '==' ? whenTrue : whenFalse;
    const different = term.op === '==' ? whenFalse : whenTrue;
    if (leaf.storage.kind === 'array' && leaf.storage.capacity > 0) {
      this.fixedString(leaf.offset, leaf.storage.capacity, expected, equal, different, whenFalse);
    } else {
      this.cString(leaf, expected, equal, different, whenFalse);
    }
  }

  /**
   * A char[capacity] member: its string ends at the first NUL or at the end of
   * the array. Reads min(capacity, length + 1) bytes and compares them with the
   * expected string and its NUL.
   */
  private fixedString(
    offset: number,
    capacity: number,
    expected: Buffer,
    equal: Label,
    different: Label,
    unreadable: Label,
  ): void {
    if (expected.length > capacity) throw new Error('string longer than its array (the resolver refuses it)');
    const withNul = Buffer.concat([expected, Buffer.alloc(1)]);
    const size = Math.min(capacity, withNul.length);
    this.read(STRING_BUFFER, size, offset, unreadable);
    this.compareBytes(withNul.subarray(0, size), different);
    this.asm.goto(equal);
  }

  /**
   * A NUL-terminated string, behind a char pointer (or in a flexible char[]):
   * bpf_probe_read_kernel_str of length + 2 bytes returns length + 1 only if
   * the string is exactly as long as the expected one.
   */
  private cString(leaf: StringLeaf, expected: Buffer, equal: Label, different: Label, unreadable: Label): void {
    const { asm } = this;
    if (leaf.storage.kind === 'pointer') {
      this.read(NUMBER_BUFFER, 8, leaf.offset, unreadable);
      asm.emit(ldxMem(Size.DW, Reg.R3, Reg.FP, NUMBER_BUFFER));
    } else {
      asm.emit(mov64Reg(Reg.R3, BASE), alu64(AluOp.ADD, Reg.R3, leaf.offset));
    }
    asm.emit(
      mov64Reg(Reg.R1, Reg.FP),
      alu64(AluOp.ADD, Reg.R1, STRING_BUFFER),
      mov64Imm(Reg.R2, expected.length + 2),
      callHelper(Helper.PROBE_READ_KERNEL_STR),
    );
    asm.jump(jmp(JmpOp.JSLT, Reg.R0, 0, 0), unreadable);
    asm.jump(jmp(JmpOp.JNE, Reg.R0, expected.length + 1, 0), different);
    this.compareBytes(expected, different);
    asm.goto(equal);
  }

  /** Jumps to `different` at the first byte of the string buffer that differs from `bytes`. */
  private compareBytes(bytes: Buffer, different: Label): void {
    bytes.forEach((byte, i) => {
      this.asm.emit(ldxMem(Size.B, Reg.R1, Reg.FP, STRING_BUFFER + i));
      this.asm.jump(jmp(JmpOp.JNE, Reg.R1, byte, 0), different);
    });
  }
}

/** The filter block of `expr`, whose terms were resolved into `resolved`. */
export function generateMetaFilter(expr: MetaExpr, resolved: ReadonlyMap<Term, ResolvedTerm>): Insn[] {
  return new MetaCodegen(resolved).program(expr);
}
