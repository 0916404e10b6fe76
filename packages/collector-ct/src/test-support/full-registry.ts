/**
 * For tests of the whole console text: core's sections and every bundled
 * collector's, as `retis print` registers them. (Collectors never import
 * each other; only tests reach across to check the complete output.)
 */
import { createCoreRegistry, type SectionRegistry } from '@retis/core';
import { DEV_SECTIONS } from '@retis/collector-dev';
import { NFT_SECTIONS } from '@retis/collector-nft';
import { NS_SECTIONS } from '@retis/collector-ns';
import { OVS_SECTIONS } from '@retis/collector-ovs';
import { SKB_SECTIONS } from '@retis/collector-skb';
import { SKB_DROP_SECTIONS } from '@retis/collector-skb-drop';
import { SKB_TRACKING_SECTIONS } from '@retis/collector-skb-tracking';
import { CT_SECTIONS } from '../sections';

export function fullRegistry(): SectionRegistry {
  return createCoreRegistry()
    .registerAll(SKB_TRACKING_SECTIONS)
    .registerAll(SKB_DROP_SECTIONS)
    .registerAll(SKB_SECTIONS)
    .registerAll(OVS_SECTIONS)
    .registerAll(NFT_SECTIONS)
    .registerAll(CT_SECTIONS)
    .registerAll(DEV_SECTIONS)
    .registerAll(NS_SECTIONS);
}
