/**
 * In-kernel filters: pcap-filter expressions (-f) and meta filters (-m),
 * generated as eBPF blocks for the probes' placeholders (docs/filters.md).
 */
export { MAX_FILTER_INSNS } from './assembler';
export { acceptAllBlock, FILTER_MATCH, FILTER_NO_MATCH, FilterMagic, rejectAllBlock } from './placeholders';
export {
  compilePacketFilter,
  LinkType,
  PCAP_SNAPLEN,
  packetFilterLoadedMessage,
  type PacketFilterBlocks,
  type PcapCompile,
} from './packet/compile';
export { compileMetaFilter } from './meta/compile';
export { MetaFilterError } from './meta/errors';
