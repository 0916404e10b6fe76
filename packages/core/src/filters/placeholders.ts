/**
 * Where generated filters go in the probe programs, and what goes there when
 * the user gives no filter.
 *
 * bpf-common's `filter_l2`, `filter_l3` and `filter_meta` each hold one
 * `call <magic>` instruction; BpfObject.patchCalls(magic, block) replaces it
 * with the block before load. The magic values must match
 * bpf-common/include/retis_filters.h.
 */
import { encode, mov32Imm, Reg } from './insn';

export const FilterMagic = {
  L2: 0xdeadbeef,
  L3: 0xdeadc0de,
  META: 0xdeadbeed,
} as const;

/** What every filter leaves in r0 on a match (libpcap's return for snaplen 0x40000). */
export const FILTER_MATCH = 0x40000;
export const FILTER_NO_MATCH = 0;

/** `mov32 r0, 0x40000`: the body used when no filter is given. */
export function acceptAllBlock(): Buffer {
  return encode([mov32Imm(Reg.R0, FILTER_MATCH)]);
}

/** `mov32 r0, 0`: the L3 body when only an L2 filter could be made. */
export function rejectAllBlock(): Buffer {
  return encode([mov32Imm(Reg.R0, FILTER_NO_MATCH)]);
}
