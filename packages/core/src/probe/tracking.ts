/**
 * Core skb tracking from userspace (reference §5): which variant runs, the
 * probes it needs, and the garbage collector of stale tracking_map entries.
 *
 * - With kprobes, the reference's algorithm: tracking-only kprobes where
 *   heads are freed or reallocated.
 * - Without, tracking ends at the tracepoints that free skbs
 *   (bpf-common/include/retis_tracking.h has both variants).
 */
import type { MapOps } from '@retis/bpf-native';
import { decodeTrackingInfo, decodeU64Key, encodeU32Key, TRACKING_INFO_LAYOUT, TRACKING_LIVE } from '../bpf/abi';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { KernelInspector, ResolvedProbe } from '../kernel/inspector';
import { parseProbeSpec, probeKey } from './spec';

/** Where heads are freed or moved (reference §5.2); NoGenericHook probes. */
export const TRACKING_KPROBES = ['kprobe:skb_free_head', 'kprobe:kfree_skb_partial', 'kprobe:pskb_expand_head'];

/** Where skbs are freed, seen without kprobes. */
export const TRACKING_TRACEPOINTS = ['tp:skb:kfree_skb', 'tp:skb:consume_skb'];

export interface TrackingSetup {
  /** The kprobe-based variant (retis_tracking_kprobes = 1). */
  kprobes: boolean;
  /** Tracking-only probes to install, keyed by probeKey. */
  probes: Map<string, ResolvedProbe>;
}

/** The kprobe variant when kprobes work and its three functions resolve; the tracepoint one otherwise. */
export function trackingSetup(kernel: KernelInspector, log: Logger): TrackingSetup {
  if (kernel.features().kprobe) {
    try {
      return { kprobes: true, probes: resolveTrackingOnly(kernel, TRACKING_KPROBES) };
    } catch (e) {
      log.debug(`skb tracking falls back to tracepoints: ${errorMessage(e)}`);
    }
  } else {
    log.debug('skb tracking on tracepoints: this kernel has no kprobe support');
  }
  return { kprobes: false, probes: resolveTrackingOnly(kernel, TRACKING_TRACEPOINTS) };
}

function resolveTrackingOnly(kernel: KernelInspector, specs: string[]): Map<string, ResolvedProbe> {
  const out = new Map<string, ResolvedProbe>();
  for (const spec of specs) {
    for (const probe of kernel.resolve(parseProbeSpec(spec))) {
      out.set(probeKey({ kind: probe.kind, target: probe.symbol }), { ...probe, trackingOnly: true });
    }
  }
  return out;
}

export interface TrackingGcOptions {
  map: Pick<MapOps, 'keys' | 'lookup' | 'delete' | 'update'>;
  /** tracking_map fd. */
  fd: number;
  /**
   * tracking_live_map fd: its GC slot counts the entries removed here, so
   * that probes know when no entry is left (retis_tracking.h).
   */
  liveFd?: number;
  log: Logger;
  /** Default 5 s, as the reference. */
  intervalMs?: number;
  /** Entries not seen for longer are removed; default 60 s. */
  maxAgeNs?: bigint;
  /** CLOCK_MONOTONIC in ns, the clock of bpf_ktime_get_ns (default: process.hrtime). */
  now?: () => bigint;
}

/**
 * Removes tracking_map entries whose skb was not seen for a while: frees no
 * probe saw (or events lost) would otherwise fill the map. Each removal is
 * worth a warning: it should not happen often.
 */
export class TrackingGc {
  private timer?: NodeJS.Timeout;
  private readonly maxAge: bigint;
  private readonly now: () => bigint;

  constructor(private readonly opts: TrackingGcOptions) {
    this.maxAge = opts.maxAgeNs ?? 60_000_000_000n;
    this.now = opts.now ?? (() => process.hrtime.bigint());
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.opts.intervalMs ?? 5000);
    // The collection's own work keeps the process alive, not this timer.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass; returns the keys removed. */
  sweep(): bigint[] {
    const { map, fd, log } = this.opts;
    const removed: bigint[] = [];
    let keys: Buffer[];
    try {
      keys = map.keys(fd, 8);
    } catch (e) {
      log.debug(`tracking map walk failed: ${errorMessage(e)}`);
      return removed;
    }
    const now = this.now();
    for (const key of keys) {
      const value = map.lookup(fd, key, TRACKING_INFO_LAYOUT.size);
      // Gone meanwhile (tracking ended), or refreshed by a probe: nothing to do.
      if (!value || now - decodeTrackingInfo(value).lastSeen <= this.maxAge) continue;
      if (!map.delete(fd, key)) continue;
      const k = decodeU64Key(key);
      removed.push(k);
      log.warn(`Removed old entry from skb_tracking tracking map: 0x${k.toString(16)}`);
    }
    if (removed.length > 0) this.countRemoved(removed.length);
    return removed;
  }

  /** Only this process writes the GC slot: a read then a write lose nothing. */
  private countRemoved(n: number): void {
    const { map, liveFd, log } = this.opts;
    if (liveFd === undefined) return;
    const key = encodeU32Key(TRACKING_LIVE.gc);
    try {
      const value = map.lookup(liveFd, key, 8) ?? Buffer.alloc(8);
      value.writeBigUInt64LE(value.readBigUInt64LE(0) + BigInt(n));
      map.update(liveFd, key, value);
    } catch (e) {
      // The count then stays above the truth: probes only do lookups they could skip.
      log.debug(`tracking count update failed: ${errorMessage(e)}`);
    }
  }
}
