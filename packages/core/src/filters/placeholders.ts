/**
 * What goes in place of the probes' filter placeholders besides generated
 * filters. The placeholders' magic values, the match verdict and the default
 * body (`mov32 r0, 0x40000`, everything matches) belong to the probe ABI and
 * live in bpf/abi.ts.
 */
import { FILTER_MAGIC, FILTER_MATCH, defaultFilterInsns, mov32R0 } from '../bpf/abi';

export { defaultFilterInsns, FILTER_MAGIC, FILTER_MATCH };

export const FILTER_NO_MATCH = 0;

/** `mov32 r0, 0`: the L3 body when only an L2 filter could be made. */
export function rejectAllBlock(): Buffer {
  return mov32R0(FILTER_NO_MATCH);
}
