// File offset of a dynamic symbol in an ELF64 executable, for uprobe tests.
import { readFileSync } from 'fs';

const SHT_DYNSYM = 11;
const PT_LOAD = 1;

export function symbolFileOffset(path: string, symbol: string): bigint {
  const elf = readFileSync(path);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) throw new Error(`${path} is not an ELF64 file`);
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);

  let address: bigint | undefined;
  for (let i = 0; i < shnum && address === undefined; i++) {
    const sh = shoff + i * shentsize;
    if (elf.readUInt32LE(sh + 4) !== SHT_DYNSYM) continue;
    const symOff = Number(elf.readBigUInt64LE(sh + 0x18));
    const symSize = Number(elf.readBigUInt64LE(sh + 0x20));
    const strtab = shoff + elf.readUInt32LE(sh + 0x28) * shentsize;
    const strOff = Number(elf.readBigUInt64LE(strtab + 0x18));
    for (let s = symOff; s < symOff + symSize; s += 24) {
      const nameOff = strOff + elf.readUInt32LE(s);
      const end = elf.indexOf(0, nameOff);
      if (elf.toString('latin1', nameOff, end) === symbol) {
        address = elf.readBigUInt64LE(s + 8);
        break;
      }
    }
  }
  if (address === undefined) throw new Error(`no dynamic symbol ${symbol} in ${path}`);

  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== PT_LOAD) continue;
    const offset = elf.readBigUInt64LE(ph + 8);
    const vaddr = elf.readBigUInt64LE(ph + 0x10);
    const filesz = elf.readBigUInt64LE(ph + 0x20);
    if (address >= vaddr && address < vaddr + filesz) return address - vaddr + offset;
  }
  throw new Error(`symbol ${symbol} of ${path} is not in a loaded segment`);
}
