/**
 * Builds a filter block: instructions plus forward or backward jumps to named
 * positions (labels), resolved once the whole block is known.
 *
 * A block is spliced in place of one `call` instruction of a probe program
 * (reference §6.1, "Injection technique"), so it must not return: every way
 * out is a jump to `end`, the position just after the last instruction, with
 * the verdict in r0.
 */
import { ja, isExit, isJump, isLdImm64, type Insn } from './insn';

/** Reference limit on the size of one generated filter. */
export const MAX_FILTER_INSNS = 4096;

export class FilterSizeError extends Error {
  constructor(readonly insnCount: number) {
    super('Filter exceeds the maximum allowed size.');
    this.name = 'FilterSizeError';
  }
}

/** A position in the block, bound once with `bind`. */
export class Label {
  position: number | undefined;
  constructor(readonly name: string) {}
}

interface PendingJump {
  /** Index of the jump instruction. */
  at: number;
  target: Label;
}

export class BlockAssembler {
  private readonly insns: Insn[] = [];
  private readonly jumps: PendingJump[] = [];
  private assembled = false;
  /** Just after the last instruction: where the block returns to its caller. */
  readonly end = new Label('end');

  /** Number of instruction slots emitted so far. */
  get length(): number {
    return this.insns.length;
  }

  label(name: string): Label {
    return new Label(name);
  }

  /** Binds `label` to the next instruction to be emitted. */
  bind(label: Label): void {
    if (label.position !== undefined) throw new Error(`label '${label.name}' is bound twice`);
    if (label === this.end) throw new Error("label 'end' is bound by assemble()");
    label.position = this.insns.length;
  }

  emit(...insns: Insn[]): void {
    if (this.assembled) throw new Error('the block is already assembled');
    for (const i of insns) {
      if (isExit(i)) throw new Error('a filter block cannot exit: jump to its end instead');
      this.insns.push({ ...i });
    }
  }

  /** Emits a jump instruction (its `off` is ignored) whose target is `target`. */
  jump(insn: Insn, target: Label): void {
    if (!isJump(insn)) throw new Error(`opcode 0x${insn.code.toString(16)} is not a jump`);
    this.jumps.push({ at: this.insns.length, target });
    this.insns.push({ ...insn });
  }

  /** Unconditional jump. */
  goto(target: Label): void {
    this.jump(ja(0), target);
  }

  /**
   * The finished block. A final `goto end` is dropped (it would be a jump to
   * the next instruction). Throws FilterSizeError past MAX_FILTER_INSNS.
   */
  assemble(): Insn[] {
    if (this.assembled) throw new Error('a filter block is assembled once');
    this.assembled = true;
    const last = this.jumps[this.jumps.length - 1];
    if (
      last !== undefined &&
      last.at === this.insns.length - 1 &&
      last.target === this.end &&
      this.insns[last.at].code === ja(0).code
    ) {
      this.insns.pop();
      this.jumps.pop();
    }
    this.end.position = this.insns.length;
    if (this.insns.length > MAX_FILTER_INSNS) throw new FilterSizeError(this.insns.length);

    const out = this.insns.map((i) => ({ ...i }));
    for (const { at, target } of this.jumps) {
      if (target.position === undefined) throw new Error(`label '${target.name}' is never bound`);
      out[at].off = target.position - (at + 1);
    }
    checkLdImm64Pairs(out);
    return out;
  }
}

/** A jump must never land in the middle of an ld_imm64 pair. */
function checkLdImm64Pairs(insns: readonly Insn[]): void {
  const second = new Set<number>();
  insns.forEach((i, n) => {
    if (isLdImm64(i)) second.add(n + 1);
  });
  insns.forEach((i, n) => {
    if (isJump(i) && second.has(n + 1 + i.off)) {
      throw new Error(`jump at ${n} lands inside an ld_imm64 instruction`);
    }
  });
}
