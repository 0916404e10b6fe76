/**
 * Shared by the sort, pcap and schema tests: a registry holding every
 * bundled collector's sections (as the CLI builds it), the Retis fixtures,
 * and builders of synthetic events in the collectors' section shapes.
 */
import { join } from 'path';
import { CT_SECTIONS } from '../../../collector-ct/src/sections';
import { DEV_SECTIONS } from '../../../collector-dev/src/sections';
import { NFT_SECTIONS } from '../../../collector-nft/src/sections';
import { NS_SECTIONS } from '../../../collector-ns/src/sections';
import { OVS_SECTIONS } from '../../../collector-ovs/src/sections';
import type { OvsDetraceSection, OvsSection } from '../../../collector-ovs/src/types';
import { SKB_SECTIONS } from '../../../collector-skb/src/sections';
import { SKB_DROP_SECTIONS } from '../../../collector-skb-drop/src/sections';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { createCoreRegistry, type SectionRegistry } from '../events/registry';
import type { RetisEvent, SkbTrackingSection } from '../events/types';

export const FIXTURES = join(__dirname, '../../../../test/fixtures/retis-1.7');
export const fixture = (name: string): string => join(FIXTURES, name);

export function bundledRegistry(): SectionRegistry {
  return createCoreRegistry()
    .registerAll(SKB_TRACKING_SECTIONS)
    .registerAll(SKB_DROP_SECTIONS)
    .registerAll(SKB_SECTIONS)
    .registerAll(DEV_SECTIONS)
    .registerAll(NS_SECTIONS)
    .registerAll(OVS_SECTIONS)
    .registerAll(NFT_SECTIONS)
    .registerAll(CT_SECTIONS);
}

/** An skb identity: `orig_head` and first-seen `timestamp` name the packet, `skb` the buffer. */
export function skb(timestamp: bigint, origHead: bigint, addr = origHead + 0x100n): SkbTrackingSection {
  return { timestamp, orig_head: origHead, skb: addr };
}

/** A kernel event at `ts`, on `symbol`, optionally tracked and with an ovs section. */
export function kernelEvent(
  ts: bigint,
  symbol: string,
  more: { tracking?: SkbTrackingSection; ovs?: OvsSection; probeType?: string } = {},
): RetisEvent {
  const event: RetisEvent = {
    common: { timestamp: ts, smp_id: 1, task: { pid: 42, tgid: 42, comm: 'ping' } },
    kernel: { symbol, probe_type: more.probeType ?? (symbol.includes(':') ? 'raw_tracepoint' : 'kprobe') },
  };
  if (more.tracking !== undefined) event['skb-tracking'] = more.tracking;
  if (more.ovs !== undefined) event.ovs = more.ovs;
  return event;
}

/** A userspace (ovs-vswitchd USDT) event: no skb, only the ovs section. */
export function userspaceEvent(ts: bigint, symbol: string, ovs: OvsSection): RetisEvent {
  return {
    common: { timestamp: ts, smp_id: 0, task: { pid: 900, tgid: 901, comm: 'handler1' } },
    userspace: { probe_type: 'usdt', symbol, ip: 0x5555n, path: '/usr/sbin/ovs-vswitchd', pid: 900, tid: 901 },
    ovs,
  };
}

export function detraceEvent(ts: bigint, detrace: OvsDetraceSection): RetisEvent {
  return { common: { timestamp: ts }, 'ovs-detrace': detrace };
}
