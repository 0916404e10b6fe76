/**
 * Location of the string section inside a `.BTF` ELF section (BTF header:
 * magic, version, flags, hdr_len, type_off/len, str_off/len; offsets count
 * from the end of the header).
 */
import { BpfElf, ElfFormatError } from './elf';

const BTF_MAGIC = 0xeb9f;
const BTF_HEADER_MIN = 24;

/** File range [start, end) of the BTF string section of `elf`. */
export function btfStringRange(elf: BpfElf): { start: number; end: number } {
  const btf = elf.section('.BTF');
  if (!btf) throw new ElfFormatError(`${elf.label} has no .BTF section (compile with -g)`);
  const bytes = elf.bytes;
  const u16 = (at: number) => (elf.littleEndian ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (elf.littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const base = btf.offset;
  if (btf.size < BTF_HEADER_MIN || u16(base) !== BTF_MAGIC) {
    throw new ElfFormatError(`${elf.label} has a malformed .BTF section`);
  }
  const hdrLen = u32(base + 4);
  const strOff = u32(base + 16);
  const strLen = u32(base + 20);
  const start = base + hdrLen + strOff;
  const end = start + strLen;
  if (end > base + btf.size) throw new ElfFormatError(`${elf.label}: BTF strings extend past the .BTF section`);
  return { start, end };
}
