/**
 * Return values of kretprobes and fexit probes, decoded with the function's
 * BTF return type: the raw register holds `size` meaningful bytes, signed or
 * not. Reported as the kernel section's optional `retval` (docs/probes.md).
 */
import type { ReturnType } from '../kernel/btf-params';

export type RetvalDecoder = (raw: bigint) => bigint | undefined;

/** The decoder for one return type; undefined when nothing is reported (void, structs). */
export function retvalDecoder(type: ReturnType | undefined): RetvalDecoder | undefined {
  if (type === undefined) return undefined;
  switch (type.kind) {
    case 'void':
    case 'other':
      return undefined;
    case 'bool':
      // Only the low byte is defined (the ABI leaves the rest of the register).
      return (raw) => ((raw & 0xffn) !== 0n ? 1n : 0n);
    case 'pointer':
      return (raw) => BigInt.asUintN(64, raw);
    case 'int':
    case 'enum': {
      const bits = Math.min(Math.max(type.size, 1), 8) * 8;
      return type.signed ? (raw) => BigInt.asIntN(bits, raw) : (raw) => BigInt.asUintN(bits, raw);
    }
  }
}
