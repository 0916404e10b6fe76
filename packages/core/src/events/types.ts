/**
 * The event model shared by collection and post-processing.
 *
 * An event is a plain object keyed by section name, exactly as in the JSON
 * events file (kebab-case keys, snake_case fields). Every u64 of the wire or
 * of the file is a `bigint` in memory so that addresses and timestamps above
 * 2^53 stay exact; smaller integers are `number`.
 *
 * Collectors add their section types by module augmentation:
 *
 *   declare module '@retis/core' {
 *     interface EventSections { 'skb-drop'?: SkbDropSection }
 *   }
 */

export interface TaskInfo {
  pid: number;
  tgid: number;
  comm: string;
}

export interface CommonSection {
  timestamp: bigint;
  smp_id?: number;
  task?: TaskInfo;
}

export interface KernelSection {
  symbol: string;
  /** `fentry` and `fexit` are additions to the reference's three. */
  probe_type: 'kprobe' | 'kretprobe' | 'raw_tracepoint' | 'fentry' | 'fexit' | string;
  stack_trace?: string[];
  /**
   * kretprobe and fexit probes of functions returning a value: the return
   * value, decoded with its BTF type (signed integers negative, pointers as
   * u64). An addition to the reference's format (docs/probes.md).
   */
  retval?: bigint;
}

export interface UserspaceSection {
  probe_type: string;
  symbol: string;
  ip: bigint;
  path: string;
  pid: number;
  tid: number;
}

export interface SkbTrackingSection {
  orig_head: bigint;
  timestamp: bigint;
  skb: bigint;
}

export interface TrackingSection {
  skb: SkbTrackingSection;
  idx: number;
}

export interface StartupSection {
  retis_version: string;
  cmdline: string;
  clock_monotonic_offset: { sec: bigint; nsec: bigint };
  machine: { kernel_release: string; kernel_version: string; hardware_name: string };
  split_file?: { id: number; policy: { kind: 'size'; limit: bigint } };
}

/** Sections known to core; collectors extend this interface. */
export interface EventSections {
  common?: CommonSection;
  kernel?: KernelSection;
  userspace?: UserspaceSection;
  tracking?: TrackingSection;
  'skb-tracking'?: SkbTrackingSection;
  startup?: StartupSection;
}

/**
 * One event. Sections nobody registered (e.g. read from a file written by a
 * newer tool) are kept as parsed JSON values so they survive a round trip.
 */
export type RetisEvent = EventSections & { [section: string]: unknown };

/** A series: the events of one packet, as produced by `sort`. */
export type EventSeries = RetisEvent[];
