/**
 * `retis stats` (reference §12.3): one block per file segment, i.e. per
 * startup event, so each split file of a rotated collection gets its own.
 *
 *   Retis version: V          (unsplit files, or split index 0)
 *   Retis cmdline: C
 *
 *   Split index: N            (split files only, after a blank line)
 *   Number of series: N       (sorted files only; startup-only series skipped)
 *   Number of events: N       (startup events not counted)
 *   First event at: <UTC>     (earliest / latest common.timestamp of the
 *   Last event at: <UTC>       segment, with its clock offset; omitted if none)
 *   Probes:
 *     {probe_type}/{symbol}: {count}   (count descending, then name)
 *
 * Events lacking a common or a kernel/userspace section are counted and
 * reported once per segment as a warning.
 */
import type { Writable } from 'stream';
import { formatUtcNs, monotonicOffsetNs } from '../display/time';
import { type EventsFileError, EventsFileReader } from '../events/file-reader';
import type { SectionRegistry } from '../events/registry';
import type { RetisEvent, StartupSection } from '../events/types';
import { TextSink } from './output';

export interface StatsOptions {
  registry: SectionRegistry;
  follow?: boolean;
  onWarning?: (msg: string) => void;
  /** Invalid lines are skipped and reported here; without it the first one is an error. */
  onInvalidLine?: (error: EventsFileError) => void;
}

/** Counters of one segment (the events after one startup event). */
export interface SegmentStats {
  startup: StartupSection | undefined;
  /** undefined for an events (unsorted) file. */
  series: number | undefined;
  events: number;
  first: bigint | undefined;
  last: bigint | undefined;
  probes: Map<string, number>;
  noCommon: number;
  noProbe: number;
}

function newSegment(startup: StartupSection | undefined, sorted: boolean): SegmentStats {
  return {
    startup,
    series: sorted ? 0 : undefined,
    events: 0,
    first: undefined,
    last: undefined,
    probes: new Map(),
    noCommon: 0,
    noProbe: 0,
  };
}

function countEvent(seg: SegmentStats, event: RetisEvent): void {
  seg.events++;
  const ts = event.common?.timestamp;
  if (ts === undefined) seg.noCommon++;
  else {
    if (seg.first === undefined || ts < seg.first) seg.first = ts;
    if (seg.last === undefined || ts > seg.last) seg.last = ts;
  }
  const probe = event.kernel ?? event.userspace;
  if (probe === undefined) {
    seg.noProbe++;
    return;
  }
  const name = `${probe.probe_type}/${probe.symbol}`;
  seg.probes.set(name, (seg.probes.get(name) ?? 0) + 1);
}

/** Gather the statistics of a file, one entry per segment. */
export function collectStats(path: string, opts: StatsOptions): SegmentStats[] {
  const reader = EventsFileReader.open(path, opts);
  const segments: SegmentStats[] = [];
  const sorted = reader.kind === 'series';
  let seg: SegmentStats | undefined;
  const current = (): SegmentStats => {
    if (seg === undefined) segments.push((seg = newSegment(undefined, sorted)));
    return seg;
  };
  try {
    if (sorted) {
      for (const series of reader.series()) {
        let counted = false;
        for (const event of series) {
          if (event.startup !== undefined) {
            segments.push((seg = newSegment(event.startup, true)));
            continue;
          }
          const s = current();
          countEvent(s, event);
          if (!counted) {
            s.series = (s.series ?? 0) + 1;
            counted = true;
          }
        }
      }
    } else {
      for (const event of reader.events()) {
        if (event.startup !== undefined) segments.push((seg = newSegment(event.startup, false)));
        else countEvent(current(), event);
      }
    }
  } finally {
    reader.close();
  }
  return segments;
}

/** The text of the statistics, as `retis stats` prints it. */
export function formatStats(segments: readonly SegmentStats[]): string {
  let out = '';
  for (const seg of segments) {
    const split = seg.startup?.split_file;
    if (seg.startup !== undefined && (split === undefined || split.id === 0)) {
      out += `Retis version: ${seg.startup.retis_version}\nRetis cmdline: ${seg.startup.cmdline}\n`;
    }
    if (split !== undefined) out += `\nSplit index: ${split.id}\n`;
    if (seg.series !== undefined) out += `Number of series: ${seg.series}\n`;
    out += `Number of events: ${seg.events}\n`;
    if (seg.first !== undefined && seg.last !== undefined) {
      const offset = seg.startup !== undefined ? monotonicOffsetNs(seg.startup.clock_monotonic_offset) : 0n;
      out += `First event at: ${formatUtcNs(seg.first + offset)}\nLast event at: ${formatUtcNs(seg.last + offset)}\n`;
    }
    out += 'Probes:\n';
    const probes = [...seg.probes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [name, count] of probes) out += `  ${name}: ${count}\n`;
  }
  return out;
}

/** `retis stats INPUT` to `out`. */
export async function printStats(path: string, out: Writable, opts: StatsOptions): Promise<void> {
  const segments = collectStats(path, opts);
  for (const seg of segments) {
    const where = seg.startup?.split_file !== undefined ? ` (split index ${seg.startup.split_file.id})` : '';
    if (seg.noCommon > 0) opts.onWarning?.(`${seg.noCommon} event(s) without a common section${where}`);
    if (seg.noProbe > 0) opts.onWarning?.(`${seg.noProbe} event(s) without a kernel or userspace section${where}`);
  }
  const sink = new TextSink(out);
  await sink.write(formatStats(segments));
  await sink.end();
}
