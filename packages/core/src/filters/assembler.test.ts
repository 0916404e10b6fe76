import { BlockAssembler, FilterSizeError, MAX_FILTER_INSNS } from './assembler';
import { ja, jmp, JmpOp, ldImm64, mov32Imm, Reg, type Insn } from './insn';

const EXIT: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };

describe('BlockAssembler', () => {
  it('resolves forward and backward jumps relative to the next instruction', () => {
    const asm = new BlockAssembler();
    const top = asm.label('top');
    const done = asm.label('done');
    asm.bind(top); // 0
    asm.emit(mov32Imm(Reg.R0, 1)); // 0
    asm.jump(jmp(JmpOp.JEQ, Reg.R0, 1, 0), done); // 1 -> 4
    asm.emit(mov32Imm(Reg.R0, 2)); // 2
    asm.goto(top); // 3 -> 0
    asm.bind(done);
    asm.emit(mov32Imm(Reg.R0, 3)); // 4
    const out = asm.assemble();
    expect(out.map((i) => i.off)).toEqual([0, 2, 0, -4, 0]);
  });

  it('turns jumps to the end into jumps just past the last instruction and drops a final one', () => {
    const asm = new BlockAssembler();
    asm.jump(jmp(JmpOp.JNE, Reg.R1, 0, 0), asm.end); // 0 -> 3
    asm.emit(mov32Imm(Reg.R0, 0)); // 1
    asm.goto(asm.end); // 2 -> 3, kept
    asm.emit(mov32Imm(Reg.R0, 5)); // 3 becomes 2
    asm.goto(asm.end); // dropped
    const out = asm.assemble();
    expect(out).toHaveLength(4);
    expect(out[0].off).toBe(3);
    expect(out[2]).toEqual({ ...ja(0), off: 1 });
  });

  it('refuses exit instructions: a block returns by jumping to its end', () => {
    expect(() => new BlockAssembler().emit(EXIT)).toThrow('a filter block cannot exit');
  });

  it('refuses labels that are never bound', () => {
    const asm = new BlockAssembler();
    asm.goto(asm.label('nowhere'));
    asm.emit(mov32Imm(Reg.R0, 0));
    expect(() => asm.assemble()).toThrow("label 'nowhere' is never bound");
  });

  it('refuses a jump into the second half of an ld_imm64', () => {
    const asm = new BlockAssembler();
    const inside = asm.label('inside');
    asm.goto(inside);
    const [low, high] = ldImm64(Reg.R1, 1n);
    asm.emit(low);
    asm.bind(inside);
    asm.emit(high, mov32Imm(Reg.R0, 0));
    expect(() => asm.assemble()).toThrow('jump at 0 lands inside an ld_imm64 instruction');
  });

  it(`accepts ${MAX_FILTER_INSNS} instructions and refuses one more`, () => {
    const block = (n: number): BlockAssembler => {
      const asm = new BlockAssembler();
      for (let i = 0; i < n; i++) asm.emit(mov32Imm(Reg.R0, i));
      return asm;
    };
    expect(block(MAX_FILTER_INSNS).assemble()).toHaveLength(MAX_FILTER_INSNS);
    expect(() => block(MAX_FILTER_INSNS + 1).assemble()).toThrow(FilterSizeError);
    expect(() => block(MAX_FILTER_INSNS + 1).assemble()).toThrow('Filter exceeds the maximum allowed size.');
  });
});
