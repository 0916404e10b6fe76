/**
 * In-kernel filters: pcap-filter expressions (-f) and meta filters (-m),
 * generated as eBPF blocks for the probes' placeholders (docs/filters.md).
 */
export { MAX_FILTER_INSNS } from './assembler';
export { defaultFilterInsns, FILTER_MAGIC, FILTER_MATCH, FILTER_NO_MATCH, rejectAllBlock } from './placeholders';
export {
  compilePacketFilter,
  LinkType,
  PCAP_SNAPLEN,
  packetFilterLoadedMessage,
  type PacketFilterBlocks,
  type PcapCompile,
} from './packet/compile';
export { compileMetaFilter } from './meta/compile';
export { parseMetaFilter } from './meta/parser';
export { MetaFilterError } from './meta/errors';
