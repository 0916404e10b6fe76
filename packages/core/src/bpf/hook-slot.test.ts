import { readFileSync } from 'fs';
import { btfStringRange } from './btf-strings';
import { BUNDLED_HOOKS, RAW_TRACEPOINT_OBJECT, requireBuilt } from './built-objects.testutil';
import { BpfElf } from './elf';
import { assignHookSlot, findTableString } from './hook-slot';

const table = (...strings: string[]) => Buffer.from(`\0${strings.join('\0')}\0`, 'latin1');

describe('findTableString', () => {
  it('finds whole strings only', () => {
    const bytes = table('abc', 'retis_hook_slotX', 'my_retis_hook_slotX', 'retis_hook_slotXY');
    expect(findTableString(bytes, 'retis_hook_slotX', 0, bytes.length)).toEqual([5]);
  });

  it('counts every occurrence inside the range only', () => {
    const bytes = table('retis_hook_slotX', 'x', 'retis_hook_slotX');
    expect(findTableString(bytes, 'retis_hook_slotX', 0, bytes.length)).toEqual([1, 20]);
    expect(findTableString(bytes, 'retis_hook_slotX', 0, 19)).toEqual([1]);
    expect(findTableString(bytes, 'retis_hook_slotX', 2, bytes.length)).toEqual([20]);
  });

  it('accepts a string at the very start of the range', () => {
    const bytes = Buffer.from('xx\0retis_hook_slotX\0', 'latin1');
    expect(findTableString(bytes, 'retis_hook_slotX', 3, bytes.length)).toEqual([3]);
  });
});

describe('assignHookSlot', () => {
  beforeAll(() => requireBuilt(BUNDLED_HOOKS.dev, RAW_TRACEPOINT_OBJECT));

  it('renames the hook in the symbol names and the BTF strings, and nothing else', () => {
    const original = readFileSync(BUNDLED_HOOKS.dev);
    const pristine = Buffer.from(original);
    const slotted = assignHookSlot(original, 7, 'dev_hook.bpf.o');

    expect(original.equals(pristine)).toBe(true);
    expect(slotted.length).toBe(original.length);
    const changed = [...slotted.keys()].filter((i) => slotted[i] !== original[i]);
    expect(changed).toHaveLength(2);
    for (const at of changed) {
      expect(String.fromCharCode(original[at])).toBe('X');
      expect(String.fromCharCode(slotted[at])).toBe('7');
    }

    const elf = new BpfElf(slotted, 'slotted');
    const strtab = elf.symbolStringTable();
    const btf = btfStringRange(elf);
    expect(changed.some((at) => at >= strtab.offset && at < strtab.offset + strtab.size)).toBe(true);
    expect(changed.some((at) => at >= btf.start && at < btf.end)).toBe(true);
    expect(elf.symbols().filter((s) => s.name === 'retis_hook_slot7')).toEqual([
      expect.objectContaining({ binding: 'global' }),
    ]);
  });

  it('refuses slots outside 0..9', () => {
    const hook = readFileSync(BUNDLED_HOOKS.dev);
    expect(() => assignHookSlot(hook, 10)).toThrow('hook slot must be an integer in [0, 9], got 10');
    expect(() => assignHookSlot(hook, -1)).toThrow(RangeError);
    expect(() => assignHookSlot(hook, 1.5)).toThrow(RangeError);
  });

  it('refuses an object that is already slotted', () => {
    const slotted = assignHookSlot(readFileSync(BUNDLED_HOOKS.dev), 3, 'dev');
    expect(() => assignHookSlot(slotted, 4, 'dev')).toThrow(
      'dev: expected retis_hook_slotX once in its symbol names, found it 0 times',
    );
  });

  it('refuses an object without a hook', () => {
    expect(() => assignHookSlot(readFileSync(RAW_TRACEPOINT_OBJECT), 0, 'probe')).toThrow(
      'probe: expected retis_hook_slotX once in its symbol names, found it 0 times',
    );
  });
});
