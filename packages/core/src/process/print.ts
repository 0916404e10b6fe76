/**
 * `retis print`: every event (or every series of a sorted file) of an
 * events file as console text. Multi-line events are followed by a blank
 * line, single-line ones by a newline; a startup event sets the clock
 * offset `--utc` uses for what follows. A closed output pipe ends quietly.
 */
import type { Writable } from 'stream';
import { formatEvent } from '../display/event-text';
import { formatSeries } from '../display/series-text';
import { monotonicOffsetNs } from '../display/time';
import { type EventsFileError, EventsFileReader } from '../events/file-reader';
import type { SectionRegistry } from '../events/registry';
import type { DisplayFormat } from '../events/section';
import type { RetisEvent } from '../events/types';
import { TextSink } from './output';

export interface PrintOptions {
  /** Sections to read and format with (core + collectors). */
  registry: SectionRegistry;
  /** multi-line (default) or single-line. */
  multiLine?: boolean;
  /** --utc */
  utc?: boolean;
  /** -e: link-layer details. */
  linkLayer?: boolean;
  /** Read the following split files too (INPUT omitted or `FILE..`). */
  follow?: boolean;
  /** Warnings (e.g. an incomplete last line). */
  onWarning?: (msg: string) => void;
  /** Invalid lines are skipped and reported here; without it the first one is an error. */
  onInvalidLine?: (error: EventsFileError) => void;
}

/** Text of one event as `print` writes it, newline(s) included; '' if nothing prints. */
export function eventOutput(event: RetisEvent, registry: SectionRegistry, fmt: DisplayFormat): string {
  if (event.startup !== undefined) fmt.monotonicOffset = monotonicOffsetNs(event.startup.clock_monotonic_offset);
  const text = formatEvent(event, registry, fmt);
  if (text.length === 0) return '';
  return fmt.multiLine ? text + '\n\n' : text + '\n';
}

/** Print the events file at `path` to `out`. Throws EventsFileError on a bad file. */
export async function printEventsFile(path: string, out: Writable, opts: PrintOptions): Promise<void> {
  const fmt: DisplayFormat = {
    multiLine: opts.multiLine ?? true,
    utc: opts.utc ?? false,
    linkLayer: opts.linkLayer ?? false,
  };
  const reader = EventsFileReader.open(path, opts);
  const sink = new TextSink(out);
  try {
    if (reader.kind === 'series') {
      for (const series of reader.series()) {
        const flushing = sink.write(formatSeries(series, opts.registry, fmt));
        if (flushing !== undefined) await flushing;
        if (sink.closed) break;
      }
    } else {
      for (const event of reader.events()) {
        const flushing = sink.write(eventOutput(event, opts.registry, fmt));
        if (flushing !== undefined) await flushing;
        if (sink.closed) break;
      }
    }
  } finally {
    reader.close();
    await sink.end();
  }
}
