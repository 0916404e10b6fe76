/** `--skb-sections`: which optional parts of the skb are collected (reference §1.2). */
import { RetisError, type CollectorOptionSpec, type Logger } from '@retis/core';

export const SKB_SECTIONS_FLAG = '--skb-sections';

export const skbOptions: CollectorOptionSpec[] = [{
  flag: SKB_SECTIONS_FLAG,
  kind: 'list',
  description: 'Comma-separated list of extra information to collect from skbs: all, eth, meta, dataref, gso',
}];

/** Section ids of the hook (skb_uapi.h); the config bit of a section is 1 << id. */
export const SKB_SECTION_ID = { packet: 1, vlan: 2, meta: 3, dataRef: 4, gso: 5 } as const;

const bit = (id: number) => 1n << BigInt(id);
const DEPRECATED = new Set(['arp', 'ip', 'tcp', 'udp', 'icmp', 'packet']);
const NOW_COLLECTORS = new Set(['dev', 'ns']);

/** The skb_config_map `sections` mask for the given option values. */
export function skbSectionsMask(values: readonly string[], log: Logger): bigint {
  // The packet and its accelerated VLAN tag are always collected.
  let mask = bit(SKB_SECTION_ID.packet) | bit(SKB_SECTION_ID.vlan);
  for (const v of values) {
    switch (v) {
      case 'all': mask |= bit(SKB_SECTION_ID.meta) | bit(SKB_SECTION_ID.dataRef) | bit(SKB_SECTION_ID.gso); break;
      case 'meta': mask |= bit(SKB_SECTION_ID.meta); break;
      case 'dataref': mask |= bit(SKB_SECTION_ID.dataRef); break;
      case 'gso': mask |= bit(SKB_SECTION_ID.gso); break;
      case 'eth': break; // The Ethernet header is part of the packet section now.
      default:
        if (DEPRECATED.has(v)) log.warn(`Use of '${v}' in --skb-sections is deprecated`);
        else if (NOW_COLLECTORS.has(v)) log.warn(`Use of '${v}' in --skb-sections is deprecated: it is now a collector`);
        else throw new RetisError(`Unknown skb_collect value (${v})`);
    }
  }
  return mask;
}
