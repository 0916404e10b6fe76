/**
 * cBPF (libpcap's output) to an eBPF filter block, after Linux's
 * bpf_convert_filter and the reference translation (§6.1).
 *
 * Registers: A = r0, X = r7, ctx = r6, ctx->prefetch = r8, r9 keeps A across
 * the helper call of LDX MSH; r1-r4 are helper arguments. Stack below the
 * frame pointer: the probe-read buffer at FP-8, cBPF M[k] at FP-72 + 4k.
 *
 * Packet bytes are kernel memory (an skb's head). The probe copies the first
 * PACKET_PREFETCH bytes once (retis_filters.h): a load within them is a plain
 * load from that copy, a load past them goes through bpf_probe_read_kernel.
 * A busy machine runs the filter on every packet, and most filters only test
 * headers: one helper call per packet instead of one per load. There is no
 * bounds check against ctx->len, as in the reference: a read past the packet
 * sees whatever follows it (the head's tailroom and shared info, which the
 * copy never goes beyond), and only an unreadable address makes the filter
 * reject, the packet's first bytes included.
 *
 * Differences from the reference, all making the block behave as libpcap's
 * interpreter does: A and X start at 0 and the M[] slots a program reads are
 * zeroed (the verifier refuses reads of unset registers and stack); ALU
 * operations are 32-bit; LDX MSH keeps A; division and modulo by X == 0
 * return 0, as Linux and libpcap do; a shift by X >= 32 gives A = 0, as in
 * libpcap. Backward jumps (`protochain`) are
 * supported with a bound on the number of times they are taken.
 */
import { BlockAssembler, type Label } from '../assembler';
import {
  AluOp,
  alu32,
  alu32Reg,
  alu64,
  alu64Reg,
  callHelper,
  Class,
  Helper,
  jmp,
  jmp32,
  jmp32Reg,
  JmpOp,
  ldxMem,
  Mode,
  mov32Imm,
  mov32Reg,
  mov64Imm,
  mov64Reg,
  Reg,
  Size,
  Src,
  stMem,
  stxMem,
  toBigEndian,
  type CbpfInsn,
  type Insn,
} from '../insn';
import { cbpfOpcodeName } from './opcode-names';

const A = Reg.R0;
const X = Reg.R7;
const CTX = Reg.R6;
const COPY = Reg.R8;
const SAVED_A = Reg.R9;

/** `struct retis_packet_filter_ctx { char *data; unsigned int len; const u8 *prefetch; }` */
export const PacketCtx = { DATA: 0, LEN: 8, PREFETCH: 16 } as const;

/** Packet bytes the probe copies for the filter (RETIS_SKB_SNAP_PACKET, retis_skb_snapshot.h). */
export const PACKET_PREFETCH = 64;

/** Probe-read buffer (reference STACK_RESERVED). */
export const READ_BUFFER = -8;
/** cBPF scratch memory: BPF_MEMWORDS slots of 4 bytes (reference SCRATCH_MEM_START = 16 * 4 + 8). */
export const SCRATCH_SLOTS = 16;
export const SCRATCH_START = -(SCRATCH_SLOTS * 4 + 8);

/** A cBPF program that cannot be turned into eBPF; the message names the instruction. */
export class TranslateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranslateError';
  }
}

const SIZE_BYTES: Record<number, 1 | 2 | 4> = { [Size.B]: 1, [Size.H]: 2, [Size.W]: 4 };

const ALU_OPS: ReadonlySet<number> = new Set([
  AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.DIV, AluOp.OR, AluOp.AND, AluOp.LSH, AluOp.RSH, AluOp.MOD, AluOp.XOR,
]);
const COND_JUMPS: ReadonlySet<number> = new Set([JmpOp.JEQ, JmpOp.JGT, JmpOp.JGE, JmpOp.JSET]);
/** Negations, used when only the false branch leaves the fall-through path. */
const NEGATED: Partial<Record<number, JmpOp>> = {
  [JmpOp.JEQ]: JmpOp.JNE,
  [JmpOp.JGT]: JmpOp.JLE,
  [JmpOp.JGE]: JmpOp.JLT,
};

/**
 * Backward jumps share one budget of iterations, kept in the 8 bytes of
 * M[14] and M[15] (libpcap allocates scratch slots from M[0] up). Past it the
 * filter rejects the packet: IPv6 extension header chains are much shorter.
 */
export const MAX_BACKWARD_JUMPS = 32;
const LOOP_COUNTER_SLOT = 14;
const LOOP_COUNTER = SCRATCH_START + 4 * LOOP_COUNTER_SLOT;

const MISC_TAX = 0x00;
const MISC_TXA = 0x80;
const RET_A = 0x10;

function unsupported(code: number, at: number, why = 'unsupported cBPF instruction'): TranslateError {
  return new TranslateError(`${why}: ${cbpfOpcodeName(code)} (opcode 0x${code.toString(16).padStart(2, '0')}) at ${at}`);
}

/** One translation: the cBPF program, the block being built, and where each cBPF instruction starts in it. */
class Translator {
  private readonly asm = new BlockAssembler();
  /** Where the block sets r0 = 0 and leaves. */
  private readonly reject = this.asm.label('reject');
  private readonly starts: Label[];
  private readonly loops: boolean;

  constructor(private readonly program: readonly CbpfInsn[]) {
    if (program.length === 0) throw new TranslateError('the cBPF program is empty');
    this.starts = program.map((_, i) => this.asm.label(`cbpf ${i}`));
    this.loops = hasBackwardJump(program);
    if (this.loops && scratchSlotsUsed(program).some((k) => k >= LOOP_COUNTER_SLOT)) {
      throw new TranslateError(
        `a program with a backward jump cannot use M[${LOOP_COUNTER_SLOT}] or M[${LOOP_COUNTER_SLOT + 1}]`,
      );
    }
  }

  translate(): Insn[] {
    const { asm, program } = this;
    this.prologue();
    program.forEach((ins, at) => {
      asm.bind(this.starts[at]);
      this.instruction(ins, at);
    });
    const last = program[program.length - 1];
    if ((last.code & 0x07) !== Class.RET && last.code !== (Class.JMP | JmpOp.JA)) {
      throw unsupported(last.code, program.length - 1, 'the program does not end with a return');
    }
    asm.bind(this.reject);
    asm.emit(mov32Imm(A, 0));
    asm.goto(asm.end);
    return asm.assemble();
  }

  /**
   * if (!ctx || !ctx->prefetch) return 0 (the packet's first bytes could not
   * be read); then A, X, the M[] slots read and the loop budget get their
   * start values.
   */
  private prologue(): void {
    const { asm } = this;
    asm.jump(jmp(JmpOp.JEQ, Reg.R1, 0, 0), this.reject);
    asm.emit(mov64Reg(CTX, Reg.R1), ldxMem(Size.DW, COPY, CTX, PacketCtx.PREFETCH));
    asm.jump(jmp(JmpOp.JEQ, COPY, 0, 0), this.reject);
    asm.emit(mov32Imm(A, 0), mov32Imm(X, 0));
    for (const k of scratchSlotsRead(this.program)) asm.emit(stMem(Size.W, Reg.FP, SCRATCH_START + 4 * k, 0));
    if (this.loops) asm.emit(mov64Imm(Reg.R2, MAX_BACKWARD_JUMPS), stxMem(Size.DW, Reg.FP, Reg.R2, LOOP_COUNTER));
  }

  private instruction(ins: CbpfInsn, at: number): void {
    switch (ins.code & 0x07) {
      case Class.LD:
        return this.load(ins, at);
      case Class.LDX:
        return this.loadX(ins, at);
      case Class.ST:
      case Class.STX:
        return this.store(ins, at);
      case Class.ALU:
        return this.alu(ins, at);
      case Class.JMP:
        return this.jump(ins, at);
      case Class.RET:
        return this.ret(ins, at);
      default:
        return this.misc(ins, at);
    }
  }

  private scratchSlot({ code, k }: CbpfInsn, at: number): number {
    if (k >= SCRATCH_SLOTS) throw unsupported(code, at, `scratch slot M[${k}] does not exist`);
    return SCRATCH_START + 4 * k;
  }

  private target(from: number, skip: number, code: number): Label {
    const to = from + 1 + skip;
    if (to < 0 || to >= this.program.length) throw unsupported(code, from, `jump out of the program (to ${to})`);
    return this.starts[to];
  }

  /**
   * dst = the `size` bytes at data + k (+ X), big-endian: from the copy of the
   * first bytes when they are within it, else read; an unreadable address
   * rejects. A is kept when dst is X.
   */
  private loadPacket(dst: Reg, size: number, indexed: boolean, { code, k }: CbpfInsn, at: number): void {
    // Offsets past 2 GiB: libpcap never emits them, and Linux uses them for ancillary data.
    if (k > 0x7fffffff) throw unsupported(code, at, `load at offset 0x${k.toString(16)} is not supported`);
    const { asm } = this;
    const bytes = SIZE_BYTES[size];
    if (!indexed && k + bytes <= PACKET_PREFETCH) {
      asm.emit(ldxMem(size as Size, dst, COPY, k));
    } else if (!indexed) {
      this.readPacket(dst, size, false, k);
    } else {
      // Where the offset is known at run time only, so is the way to load.
      // k + X, not X + k: the verifier links `r2 = X; r2 += k` to X, and the
      // bound check below would then give X a different range on each way,
      // which keeps it from merging them (a protochain loop then explodes).
      // X's upper half is always 0.
      const read = asm.label('read');
      const loaded = asm.label('loaded');
      asm.emit(mov64Imm(Reg.R2, k), alu64Reg(AluOp.ADD, Reg.R2, X));
      asm.jump(jmp(JmpOp.JGT, Reg.R2, PACKET_PREFETCH - bytes, 0), read);
      asm.emit(mov64Reg(Reg.R1, COPY), alu64Reg(AluOp.ADD, Reg.R1, Reg.R2), ldxMem(size as Size, dst, Reg.R1, 0));
      asm.goto(loaded);
      asm.bind(read);
      this.readPacket(dst, size, true, k);
      asm.bind(loaded);
    }
    if (bytes > 1) asm.emit(toBigEndian(dst, bytes === 2 ? 16 : 32));
  }

  /** dst = the `size` bytes at data + k (+ X), through bpf_probe_read_kernel (host order). */
  private readPacket(dst: Reg, size: number, indexed: boolean, k: number): void {
    const { asm } = this;
    // The helper call clobbers r0 (A): keep A in r9 when it is not the destination.
    const keepA = dst !== A;
    if (keepA) asm.emit(mov64Reg(SAVED_A, A));
    asm.emit(mov64Reg(Reg.R1, Reg.FP), alu64(AluOp.ADD, Reg.R1, READ_BUFFER), mov64Imm(Reg.R2, SIZE_BYTES[size]));
    asm.emit(ldxMem(Size.DW, Reg.R3, CTX, PacketCtx.DATA));
    if (indexed) {
      // data + X + k in 64 bits: an offset past 4 GiB fails to read (libpcap rejects it too).
      asm.emit(mov32Reg(Reg.R4, X), alu64Reg(AluOp.ADD, Reg.R3, Reg.R4));
    }
    asm.emit(alu64(AluOp.ADD, Reg.R3, k), callHelper(Helper.PROBE_READ_KERNEL));
    asm.jump(jmp(JmpOp.JNE, Reg.R0, 0, 0), this.reject);
    asm.emit(ldxMem(size as Size, dst, Reg.FP, READ_BUFFER));
    if (keepA) asm.emit(mov64Reg(A, SAVED_A));
  }

  /** LD: A = packet bytes, an immediate, M[k] or the length. */
  private load(ins: CbpfInsn, at: number): void {
    const size = ins.code & 0x18;
    const mode = ins.code & 0xe0;
    if ((mode === Mode.ABS || mode === Mode.IND) && size in SIZE_BYTES) {
      this.loadPacket(A, size, mode === Mode.IND, ins, at);
    } else if (size !== Size.W) {
      throw unsupported(ins.code, at);
    } else if (mode === Mode.IMM) {
      this.asm.emit(mov32Imm(A, ins.k | 0));
    } else if (mode === Mode.MEM) {
      this.asm.emit(ldxMem(Size.W, A, Reg.FP, this.scratchSlot(ins, at)));
    } else if (mode === Mode.LEN) {
      this.asm.emit(ldxMem(Size.W, A, CTX, PacketCtx.LEN));
    } else {
      throw unsupported(ins.code, at);
    }
  }

  /** LDX: X = 4 * (P[k] & 0xf), an immediate, M[k] or the length. */
  private loadX(ins: CbpfInsn, at: number): void {
    const size = ins.code & 0x18;
    const mode = ins.code & 0xe0;
    if (mode === Mode.MSH && size === Size.B) {
      this.loadPacket(X, Size.B, false, ins, at);
      this.asm.emit(alu32(AluOp.AND, X, 0xf), alu32(AluOp.LSH, X, 2));
    } else if (size !== Size.W) {
      throw unsupported(ins.code, at);
    } else if (mode === Mode.IMM) {
      this.asm.emit(mov32Imm(X, ins.k | 0));
    } else if (mode === Mode.MEM) {
      this.asm.emit(ldxMem(Size.W, X, Reg.FP, this.scratchSlot(ins, at)));
    } else if (mode === Mode.LEN) {
      this.asm.emit(ldxMem(Size.W, X, CTX, PacketCtx.LEN));
    } else {
      throw unsupported(ins.code, at);
    }
  }

  /** ST, STX: M[k] = A or X. */
  private store(ins: CbpfInsn, at: number): void {
    const cls = ins.code & 0x07;
    if (ins.code !== cls) throw unsupported(ins.code, at);
    this.asm.emit(stxMem(Size.W, Reg.FP, cls === Class.ST ? A : X, this.scratchSlot(ins, at)));
  }

  /** ALU: 32-bit operations on A. */
  private alu({ code, k }: CbpfInsn, at: number): void {
    const { asm } = this;
    const op = code & 0xf0;
    const fromX = (code & Src.X) !== 0;
    if (op === AluOp.NEG) {
      if (fromX) throw unsupported(code, at);
      asm.emit(alu32(AluOp.NEG, A, 0));
    } else if (!ALU_OPS.has(op)) {
      throw unsupported(code, at);
    } else if (!fromX) {
      if ((op === AluOp.DIV || op === AluOp.MOD) && k === 0) throw unsupported(code, at, 'division by zero');
      if ((op === AluOp.LSH || op === AluOp.RSH) && k >= 32) throw unsupported(code, at, `shift by ${k} bits`);
      asm.emit(alu32(op as AluOp, A, k | 0));
    } else if (op === AluOp.LSH || op === AluOp.RSH) {
      // libpcap: a shift by 32 bits or more gives 0 (eBPF would shift by X mod 32).
      const wide = asm.label('wide shift');
      const done = asm.label('shifted');
      asm.jump(jmp32(JmpOp.JGE, X, 32, 0), wide);
      asm.emit(alu32Reg(op as AluOp, A, X));
      asm.goto(done);
      asm.bind(wide);
      asm.emit(mov32Imm(A, 0));
      asm.bind(done);
    } else {
      // Linux and libpcap return 0 rather than divide by zero.
      if (op === AluOp.DIV || op === AluOp.MOD) asm.jump(jmp32(JmpOp.JEQ, X, 0, 0), this.reject);
      asm.emit(alu32Reg(op as AluOp, A, X));
    }
  }

  /** JA; JEQ/JGT/JGE/JSET become a jmp32 to jt and, unless jf falls through, a ja to jf. */
  private jump({ code, k, jt, jf }: CbpfInsn, at: number): void {
    const { asm } = this;
    const op = (code & 0xf0) as JmpOp;
    const fromX = (code & Src.X) !== 0;

    if (op === JmpOp.JA) {
      if (fromX) throw unsupported(code, at);
      const skip = k | 0;
      if (skip < 0) {
        // Taken at most MAX_BACKWARD_JUMPS times in all, so that the verifier sees the loop end.
        asm.emit(ldxMem(Size.DW, Reg.R2, Reg.FP, LOOP_COUNTER));
        asm.jump(jmp(JmpOp.JEQ, Reg.R2, 0, 0), this.reject);
        asm.emit(alu64(AluOp.SUB, Reg.R2, 1), stxMem(Size.DW, Reg.FP, Reg.R2, LOOP_COUNTER));
      }
      asm.goto(this.target(at, skip, code));
      return;
    }
    if (!COND_JUMPS.has(op)) throw unsupported(code, at);

    const test = (jumpOp: JmpOp): Insn => (fromX ? jmp32Reg(jumpOp, A, X, 0) : jmp32(jumpOp, A, k | 0, 0));
    const whenTrue = this.target(at, jt, code);
    const whenFalse = this.target(at, jf, code);
    const negated = NEGATED[op];
    if (jt === jf) {
      if (jt !== 0) asm.goto(whenTrue);
    } else if (jt === 0 && negated !== undefined) {
      asm.jump(test(negated), whenFalse);
    } else {
      asm.jump(test(op), whenTrue);
      if (jf !== 0) asm.goto(whenFalse);
    }
  }

  /** RET: r0 = k, A or X, and leave the block. */
  private ret({ code, k }: CbpfInsn, at: number): void {
    const rval = code & 0x18;
    if (rval === Src.K) this.asm.emit(mov32Imm(A, k | 0));
    else if (rval === Src.X) this.asm.emit(mov32Reg(A, X));
    else if (rval !== RET_A) throw unsupported(code, at);
    this.asm.goto(this.asm.end);
  }

  /** TAX, TXA. */
  private misc({ code }: CbpfInsn, at: number): void {
    const op = code & 0xf8;
    if (op === MISC_TAX) this.asm.emit(mov32Reg(X, A));
    else if (op === MISC_TXA) this.asm.emit(mov32Reg(A, X));
    else throw unsupported(code, at);
  }
}

/** Translates one cBPF program into a block ending with the verdict in r0 (0 = no match). */
export function translateCbpf(program: readonly CbpfInsn[]): Insn[] {
  return new Translator(program).translate();
}

/** Scratch slots read by LD/LDX MEM: zeroed in the prologue so that the verifier accepts the reads. */
function scratchSlotsRead(program: readonly CbpfInsn[]): number[] {
  const slots = new Set<number>();
  for (const { code, k } of program) {
    const loadsMem = code === (Class.LD | Mode.MEM | Size.W) || code === (Class.LDX | Mode.MEM | Size.W);
    if (loadsMem && k < SCRATCH_SLOTS) slots.add(k);
  }
  return [...slots].sort((a, b) => a - b);
}

/** Scratch slots read or written. */
function scratchSlotsUsed(program: readonly CbpfInsn[]): number[] {
  const stores = program.filter(({ code }) => code === Class.ST || code === Class.STX).map(({ k }) => k);
  return [...scratchSlotsRead(program), ...stores];
}

/** libpcap emits backward jumps (negative JA offsets) only for `protochain`. */
function hasBackwardJump(program: readonly CbpfInsn[]): boolean {
  return program.some(({ code, k }) => code === (Class.JMP | JmpOp.JA) && (k | 0) < 0);
}
