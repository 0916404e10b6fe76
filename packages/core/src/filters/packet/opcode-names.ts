/**
 * Readable names of cBPF opcodes, in the spelling of the BPF_* macros
 * (`BPF_LD|BPF_H|BPF_IND`), for error messages.
 */
const CLASSES = ['LD', 'LDX', 'ST', 'STX', 'ALU', 'JMP', 'RET', 'MISC'];
const SIZES = ['W', 'H', 'B', 'DW'];
const MODES = ['IMM', 'ABS', 'IND', 'MEM', 'LEN', 'MSH', 'MODE_0xc0', 'MODE_0xe0'];
const ALU = ['ADD', 'SUB', 'MUL', 'DIV', 'OR', 'AND', 'LSH', 'RSH', 'NEG', 'MOD', 'XOR'];
const JMP = ['JA', 'JEQ', 'JGT', 'JGE', 'JSET'];
const RVAL = ['K', 'X', 'A'];

const bpf = (...parts: string[]): string => parts.map((p) => `BPF_${p}`).join('|');
const hex = (v: number): string => `0x${v.toString(16)}`;

export function cbpfOpcodeName(code: number): string {
  const cls = CLASSES[code & 0x07];
  const src = code & 0x08 ? 'X' : 'K';
  switch (code & 0x07) {
    case 0x00:
    case 0x01:
    case 0x02:
    case 0x03:
      return bpf(cls, SIZES[(code >> 3) & 0x03], MODES[(code >> 5) & 0x07]);
    case 0x04:
      return bpf(cls, ALU[code >> 4] ?? `OP_${hex(code & 0xf0)}`, src);
    case 0x05:
      return bpf(cls, JMP[code >> 4] ?? `OP_${hex(code & 0xf0)}`, src);
    case 0x06:
      return bpf(cls, RVAL[(code >> 3) & 0x03] ?? `RVAL_${hex(code & 0x18)}`);
    default: {
      const misc = code & 0xf8;
      return bpf(cls, misc === 0x80 ? 'TXA' : misc === 0 ? 'TAX' : `OP_${hex(misc)}`);
    }
  }
}
