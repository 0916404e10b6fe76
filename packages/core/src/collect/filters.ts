/**
 * The packet (-f) and meta (-m) filters of a collection, compiled into the
 * blocks spliced into every probe (docs/filters.md).
 */
import type { BpfNative } from '@retis/bpf-native';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import { compileMetaFilter, compilePacketFilter, packetFilterLoadedMessage } from '../filters';
import type { FilterBodies } from '../probe/manager';

/**
 * The probes hand every filter body a `struct retis_packet_filter_ctx *` in
 * r1; for the meta filter its first member holds the skb, which the meta
 * code expects in r1 itself: `r1 = *(u64 *)(r1 + 0)`.
 */
const LOAD_SKB_FROM_CTX = Buffer.from([0x79, 0x11, 0, 0, 0, 0, 0, 0]);

export function buildFilters(
  filterPacket: string | undefined, filterMeta: string | undefined,
  native: Pick<BpfNative, 'pcapCompile' | 'loadBtf'>, btf: () => ReturnType<BpfNative['loadBtf']>, log: Logger,
): FilterBodies | undefined {
  if (filterPacket === undefined && filterMeta === undefined) return undefined;
  const bodies: FilterBodies = {};
  if (filterPacket !== undefined) {
    let blocks;
    try {
      blocks = compilePacketFilter(filterPacket, native.pcapCompile.bind(native), log);
    } catch (e) {
      throw new RetisError(errorMessage(e), RetisErrorCode.Filter);
    }
    bodies.l2 = blocks.l2;
    bodies.l3 = blocks.l3;
    log.info(packetFilterLoadedMessage(blocks));
  }
  if (filterMeta !== undefined) {
    try {
      bodies.meta = Buffer.concat([LOAD_SKB_FROM_CTX, compileMetaFilter(filterMeta, btf())]);
    } catch (e) {
      const msg = errorMessage(e);
      throw new RetisError(msg.startsWith('meta filter') ? msg : `meta filter: ${msg}`, RetisErrorCode.Filter);
    }
  }
  return bodies;
}
