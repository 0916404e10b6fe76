import { readFileSync } from 'fs';
import { btfStringRange } from './btf-strings';
import { BUNDLED_HOOKS, requireBuilt } from './built-objects.testutil';
import { BpfElf } from './elf';

describe('BpfElf', () => {
  beforeAll(() => requireBuilt(BUNDLED_HOOKS.skb));

  it('lists the sections and symbols of a BPF object', () => {
    const elf = new BpfElf(readFileSync(BUNDLED_HOOKS.skb), 'skb_hook.bpf.o');
    const names = elf.sections.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['.text', '.maps', '.BTF', '.BTF.ext', '.symtab', '.strtab']));
    expect(elf.symbolStringTable().name).toBe('.strtab');
    const map = elf.symbols().find((s) => s.name === 'skb_config_map');
    expect(map).toMatchObject({ binding: 'global', type: 1, sectionIndex: elf.section('.maps')?.index });
  });

  it('locates the BTF string section', () => {
    const elf = new BpfElf(readFileSync(BUNDLED_HOOKS.skb), 'skb');
    const { start, end } = btfStringRange(elf);
    const strings = elf.bytes.toString('latin1', start, end).split('\0');
    expect(strings[0]).toBe('');
    expect(strings).toEqual(expect.arrayContaining(['skb_meta_event', 'retis_hook_slotX', 'sk_buff']));
  });

  it('rejects what is not a 64-bit BPF ELF object', () => {
    expect(() => new BpfElf(Buffer.from('hello'), 'text')).toThrow('text is not an ELF file');
    expect(() => new BpfElf(readFileSync(process.execPath), 'node')).toThrow(/^node is not a BPF object \(e_machine \d+\)$/);
    const truncated = readFileSync(BUNDLED_HOOKS.skb).subarray(0, 200);
    expect(() => new BpfElf(truncated, 'cut')).toThrow('cut has a truncated or malformed section table');
  });
});
