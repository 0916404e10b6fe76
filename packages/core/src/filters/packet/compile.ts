/**
 * `-f <pcap-filter>`: the L2 and L3 filter blocks (reference §6.1,
 * `collect.rs::setup_filters`).
 *
 * The L2 block runs on skbs whose mac header is set (libpcap link type
 * EN10MB) and must compile. The L3 block runs on skbs that only have a
 * network header (link type RAW); expressions that read the Ethernet header
 * cannot have one, and any failure falls back to a block that rejects.
 */
import { errorMessage, RetisError, RetisErrorCode } from '../../errors';
import type { Logger } from '../../log';
import { FilterSizeError } from '../assembler';
import { decodeCbpf, encode } from '../insn';
import { rejectAllBlock } from '../placeholders';
import { translateCbpf } from './translate';

/** libpcap DLT_* values. */
export const LinkType = { EN10MB: 1, RAW: 12 } as const;

/**
 * Snapshot length given to pcap_compile: libpcap's programs return it on a
 * match, so every filter block matches with the same r0 (FILTER_MATCH).
 */
export const PCAP_SNAPLEN = 0x40000;

/** The addon's `pcapCompile(expr, linkType, snaplen, optimize)`: cBPF bytes, or a throw with libpcap's message. */
export type PcapCompile = (expr: string, linkType: number, snaplen: number, optimize: boolean) => Buffer;

export interface PacketFilterBlocks {
  /** Block for the `0xdeadbeef` (filter_l2) placeholder. */
  l2: Buffer;
  /** Block for the `0xdeadc0de` (filter_l3) placeholder: a real filter, or the reject block. */
  l3: Buffer;
  /** Whether `l3` is a real filter. */
  hasL3: boolean;
  /** Why there is no L3 filter (what the debug log said). */
  l3SkipReason?: string;
}

/** The info line the caller logs once the blocks are registered. */
export function packetFilterLoadedMessage(blocks: PacketFilterBlocks): string {
  return `${blocks.hasL3 ? 'L2+L3' : 'L2'} packet filter(s) loaded`;
}

/** eBPF block of `expr` for one link type; throws with the reason it could not be made. */
function compileFor(expr: string, linkType: number, pcapCompile: PcapCompile): Buffer {
  let cbpf: Buffer;
  try {
    cbpf = pcapCompile(expr, linkType, PCAP_SNAPLEN, true);
  } catch (e) {
    throw new RetisError(`Could not compile the filter: ${errorMessage(e)}`, RetisErrorCode.Filter);
  }
  try {
    return encode(translateCbpf(decodeCbpf(cbpf)));
  } catch (e) {
    if (e instanceof FilterSizeError) throw new RetisError(e.message, RetisErrorCode.Filter);
    throw new RetisError(`Could not compile the filter: ${errorMessage(e)}`, RetisErrorCode.Filter);
  }
}

export function compilePacketFilter(
  expr: string,
  pcapCompile: PcapCompile,
  logger?: Pick<Logger, 'debug'>,
): PacketFilterBlocks {
  const l2 = compileFor(expr, LinkType.EN10MB, pcapCompile);

  let l3SkipReason: string;
  if (expr.includes('ether[')) {
    l3SkipReason = 'ether[n:m] not allowed';
    logger?.debug(`Skipping L3 filter generation (${l3SkipReason})`);
  } else {
    try {
      return { l2, l3: compileFor(expr, LinkType.RAW, pcapCompile), hasL3: true };
    } catch (e) {
      l3SkipReason = errorMessage(e);
      // The reference's two debug lines differ by this final period.
      logger?.debug(`Skipping L3 filter generation (${l3SkipReason}).`);
    }
  }
  return { l2, l3: rejectAllBlock(), hasL3: false, l3SkipReason };
}
