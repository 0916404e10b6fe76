/**
 * Just enough of ELF64 to find sections of a BPF object by name: the linker
 * rewrites strings in place and needs their exact file ranges.
 */

const ELF_MAGIC = 0x7f454c46; // "\x7fELF", read big-endian
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const EM_BPF = 247;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const ELF64_EHDR_SIZE = 64;
const ELF64_SHDR_SIZE = 64;
const ELF64_SYM_SIZE = 24;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** File offset and size of the section's bytes. */
  readonly offset: number;
  readonly size: number;
  /** sh_link: for a symbol table, the index of its string table. */
  readonly link: number;
}

export type SymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  readonly name: string;
  readonly binding: SymbolBinding;
  /** STT_* value (2 = FUNC, 1 = OBJECT). */
  readonly type: number;
  /** Index of the defining section, 0 when undefined. */
  readonly sectionIndex: number;
  /** st_value (offset in its section for an object file) and st_size. */
  readonly value: bigint;
  readonly size: bigint;
}

const BINDINGS: Record<number, SymbolBinding> = { 0: 'local', 1: 'global', 2: 'weak' };

export class ElfFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfFormatError';
  }
}

/** The section table of a BPF ELF object; throws ElfFormatError on anything else. */
export class BpfElf {
  readonly sections: readonly ElfSection[];
  readonly littleEndian: boolean;

  constructor(readonly bytes: Buffer, readonly label = 'object') {
    if (bytes.length < ELF64_EHDR_SIZE || bytes.readUInt32BE(0) !== ELF_MAGIC) {
      throw new ElfFormatError(`${label} is not an ELF file`);
    }
    if (bytes[4] !== ELFCLASS64) throw new ElfFormatError(`${label} is not a 64-bit ELF object`);
    if (bytes[5] !== ELFDATA2LSB && bytes[5] !== ELFDATA2MSB) {
      throw new ElfFormatError(`${label} has an unknown ELF data encoding (${bytes[5]})`);
    }
    this.littleEndian = bytes[5] === ELFDATA2LSB;
    const machine = this.u16(18);
    if (machine !== EM_BPF) throw new ElfFormatError(`${label} is not a BPF object (e_machine ${machine})`);
    this.sections = this.readSections();
  }

  /** The only section called `name`, or undefined. */
  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** String table of the symbol table (symbol names), usually `.strtab`. */
  symbolStringTable(): ElfSection {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) throw new ElfFormatError(`${this.label} has no symbol table`);
    const strtab = this.sections[symtab.link];
    if (!strtab) throw new ElfFormatError(`${this.label}: symbol table links to a missing string table`);
    return strtab;
  }

  /** Entries of the symbol table, in order. */
  symbols(): ElfSymbol[] {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) throw new ElfFormatError(`${this.label} has no symbol table`);
    const strtab = this.symbolStringTable();
    const count = Math.floor(symtab.size / ELF64_SYM_SIZE);
    return Array.from({ length: count }, (_, i) => {
      const at = symtab.offset + i * ELF64_SYM_SIZE;
      const info = this.bytes[at + 4];
      return {
        name: this.cString(strtab.offset + this.u32(at), strtab.offset + strtab.size),
        binding: BINDINGS[info >> 4] ?? 'other',
        type: info & 0xf,
        sectionIndex: this.u16(at + 6),
        value: this.u64(at + 8),
        size: this.u64(at + 16),
      };
    });
  }

  private readSections(): ElfSection[] {
    const shoff = Number(this.u64(40));
    const shentsize = this.u16(58);
    const shnum = this.u16(60);
    const shstrndx = this.u16(62);
    if (shentsize !== ELF64_SHDR_SIZE || shoff + shnum * shentsize > this.bytes.length) {
      throw new ElfFormatError(`${this.label} has a truncated or malformed section table`);
    }
    const raw = Array.from({ length: shnum }, (_, index) => {
      const at = shoff + index * shentsize;
      return {
        index,
        nameOffset: this.u32(at),
        type: this.u32(at + 4),
        offset: Number(this.u64(at + 24)),
        size: Number(this.u64(at + 32)),
        link: this.u32(at + 40),
      };
    });
    const names = raw[shstrndx];
    if (!names) throw new ElfFormatError(`${this.label} has no section name table`);
    for (const s of raw) {
      if (s.type !== SHT_NOBITS && s.offset + s.size > this.bytes.length) {
        throw new ElfFormatError(`${this.label}: section ${s.index} extends past the end of the file`);
      }
    }
    return raw.map((s) => ({
      index: s.index,
      name: this.cString(names.offset + s.nameOffset, names.offset + names.size),
      type: s.type,
      offset: s.offset,
      size: s.size,
      link: s.link,
    }));
  }

  private cString(start: number, limit: number): string {
    const end = this.bytes.indexOf(0, start);
    return this.bytes.toString('latin1', start, end < 0 || end > limit ? limit : end);
  }

  private u16(at: number): number {
    return this.littleEndian ? this.bytes.readUInt16LE(at) : this.bytes.readUInt16BE(at);
  }

  private u32(at: number): number {
    return this.littleEndian ? this.bytes.readUInt32LE(at) : this.bytes.readUInt32BE(at);
  }

  private u64(at: number): bigint {
    return this.littleEndian ? this.bytes.readBigUInt64LE(at) : this.bytes.readBigUInt64BE(at);
  }
}
