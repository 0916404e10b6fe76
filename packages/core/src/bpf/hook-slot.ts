/**
 * Slot assignment of a hook object (docs/bpf-hooks.md).
 *
 * A hook object's function is named retis_hook_slotX. To put it in slot N,
 * the name is rewritten to retis_hook_slot<N> in the two string tables that
 * carry it: the ELF symbol names (`.strtab`), which the static linker
 * resolves, and the BTF strings, which name the function for the verifier.
 * Both names have the same length, so nothing else in the file moves.
 */
import { HOOK_MAX, HOOK_SLOT_PLACEHOLDER, hookSlotName } from './abi';
import { btfStringRange } from './btf-strings';
import { BpfElf } from './elf';

export class HookSlotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookSlotError';
  }
}

/** Offsets of `name` as a whole NUL-terminated string of the table bytes[start, end). */
export function findTableString(bytes: Buffer, name: string, start: number, end: number): number[] {
  const needle = Buffer.from(`${name}\0`, 'latin1');
  const hits: number[] = [];
  for (let at = bytes.indexOf(needle, start); at >= 0 && at + needle.length <= end; at = bytes.indexOf(needle, at + 1)) {
    // A hit preceded by another character is the tail of a longer string.
    if (at === start || bytes[at - 1] === 0) hits.push(at);
  }
  return hits;
}

/**
 * A copy of the hook object `object` whose hook sits in `slot`. Throws
 * HookSlotError unless the placeholder name is found exactly once in each
 * string table (e.g. an object built without DEFINE_HOOK, or with two hooks).
 */
export function assignHookSlot(object: Buffer, slot: number, label = 'hook object'): Buffer {
  if (!Number.isInteger(slot) || slot < 0 || slot >= HOOK_MAX) {
    throw new RangeError(`hook slot must be an integer in [0, ${HOOK_MAX - 1}], got ${slot}`);
  }
  const elf = new BpfElf(object, label);
  const strtab = elf.symbolStringTable();
  const tables = [
    { what: 'symbol names', start: strtab.offset, end: strtab.offset + strtab.size },
    { what: 'BTF strings', ...btfStringRange(elf) },
  ];

  const out = Buffer.from(object);
  const name = hookSlotName(slot);
  for (const table of tables) {
    const hits = findTableString(object, HOOK_SLOT_PLACEHOLDER, table.start, table.end);
    if (hits.length !== 1) {
      throw new HookSlotError(
        `${label}: expected ${HOOK_SLOT_PLACEHOLDER} once in its ${table.what}, found it ${hits.length} times`,
      );
    }
    out.write(name, hits[0], 'latin1');
  }
  return out;
}
