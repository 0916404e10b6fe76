/**
 * `retis sort` (reference §4.3): group the events of a file into series,
 * one per packet, oldest first, and print them and/or store them as a
 * sorted file.
 *
 * Streaming: events are read one by one, tracked (tracking.ts) and held in
 * the series buffer (series-buffer.ts); once it holds `maxBuffer` events the
 * oldest series goes out. A packet whose events are further apart in the
 * file than the buffer can hold is therefore split into several series;
 * `maxBuffer` 0 holds everything until the end.
 *
 * Refused, as in the reference: sorting into the input file itself, and
 * storing series of a file older than Retis 1.7 (its events are read
 * through compatibility fix-ups, and a sorted file would carry the old
 * version with the new shapes). An already sorted input is left alone.
 */
import { existsSync, statSync } from 'fs';
import { extname } from 'path';
import type { Writable } from 'stream';
import { formatSeries } from '../display/series-text';
import { RetisError, RetisErrorCode } from '../errors';
import { compatLevelOf, LATEST_COMPAT } from '../events/compat';
import { type EventsFileError, EventsFileReader } from '../events/file-reader';
import type { SectionRegistry } from '../events/registry';
import type { DisplayFormat } from '../events/section';
import type { EventSeries, RetisEvent } from '../events/types';
import { TextSink } from './output';
import { SeriesBuffer } from './series-buffer';
import { SeriesFileWriter } from './series-file';
import { TrackingAssigner } from './tracking';

export const DEFAULT_MAX_BUFFER = 1000;

export const ALREADY_SORTED = 'File already sorted';
export const IN_PLACE_SORT =
  "Cannot sort a file in-place. Please specify an output file that's different to the input one.";
export const OLD_FORMAT_OUT = 'Storing sorted events is not supported (input event format is too old, remove `--out`)';

export interface SortOptions {
  /** Sections to read, write and format with (core + collectors). */
  registry: SectionRegistry;
  /** Events held before the oldest series goes out (default 1000); 0: no limit. */
  maxBuffer?: number;
  /** Store the series as a sorted file at this path. */
  outPath?: string;
  /** Print the series as console text to this stream. */
  print?: Writable;
  /** Console text: multi-line (default) or single-line, --utc, -e. */
  multiLine?: boolean;
  utc?: boolean;
  linkLayer?: boolean;
  /** Read the following split files too. */
  follow?: boolean;
  /** Non-fatal problems (a cut last line). */
  onWarning?: (msg: string) => void;
  /** Informational messages (`File already sorted`). */
  onInfo?: (msg: string) => void;
  /** Invalid lines are skipped and reported here; without it the first one is an error. */
  onInvalidLine?: (error: EventsFileError) => void;
}

export interface SortSummary {
  /** The input was a sorted file: nothing was done. */
  alreadySorted: boolean;
  /** Series and events that went out. */
  series: number;
  events: number;
}

/** Sort the events file at `path`. Throws RetisError or EventsFileError. */
export async function sortEventsFile(path: string, opts: SortOptions): Promise<SortSummary> {
  const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
  if (!Number.isInteger(maxBuffer) || maxBuffer < 0) throw new RangeError(`Invalid buffer size ${maxBuffer}`);
  if (opts.outPath !== undefined && sameFile(path, opts.outPath)) throw new RetisError(IN_PLACE_SORT, RetisErrorCode.OutputFile);

  const summary: SortSummary = { alreadySorted: false, series: 0, events: 0 };
  const reader = EventsFileReader.open(path, opts);
  let writer: SeriesFileWriter | undefined;
  let sink: TextSink | undefined;
  try {
    if (reader.kind === 'series') {
      opts.onInfo?.(ALREADY_SORTED);
      summary.alreadySorted = true;
      return summary;
    }
    const events = reader.events();
    const first = events.next();
    const version = first.done === true ? undefined : first.value.startup?.retis_version;
    if (opts.outPath !== undefined && version !== undefined && compatLevelOf(version) < LATEST_COMPAT) {
      throw new RetisError(OLD_FORMAT_OUT, RetisErrorCode.Usage);
    }
    if (opts.outPath !== undefined && opts.follow === true) {
      const split = first.done === true ? undefined : first.value.startup?.split_file?.id;
      if (splitFilesAfter(path, split).some((p) => sameFile(p, opts.outPath as string))) {
        throw new RetisError(IN_PLACE_SORT, RetisErrorCode.OutputFile);
      }
    }
    if (opts.outPath !== undefined) writer = new SeriesFileWriter(opts.outPath, opts.registry);
    if (opts.print !== undefined) sink = new TextSink(opts.print);
    const fmt: DisplayFormat = { multiLine: opts.multiLine ?? true, utc: opts.utc ?? false, linkLayer: opts.linkLayer ?? false };

    const emit = async (series: EventSeries): Promise<void> => {
      summary.series++;
      summary.events += series.length;
      writer?.write(series);
      if (sink !== undefined && !sink.closed) {
        const flushing = sink.write(formatSeries(series, opts.registry, fmt));
        if (flushing !== undefined) await flushing;
      }
    };
    // A reader that went away (`retis sort | head`) ends the work, unless a file is being written.
    const stopped = (): boolean => writer === undefined && sink !== undefined && sink.closed;

    const all = first.done === true ? [] : chain(first.value, events);
    for (const series of sortEvents(all, maxBuffer)) {
      await emit(series);
      if (stopped()) break;
    }
    return summary;
  } finally {
    reader.close();
    try {
      writer?.close();
    } finally {
      await sink?.end();
    }
  }
}

/**
 * The series of `events`, oldest first (a leading startup event first of
 * all, alone). At most `maxBuffer` events are held
 * (0: no limit), so a packet whose events lie further apart can come out as
 * several series. Throws TrackingError.
 */
export function* sortEvents(events: Iterable<RetisEvent>, maxBuffer = DEFAULT_MAX_BUFFER): Generator<EventSeries, void, undefined> {
  const tracker = new TrackingAssigner();
  const buffer = new SeriesBuffer();
  let first = true;
  for (const event of events) {
    // The file's startup event leads, whatever the timestamps: readers take
    // the version from the first line of a sorted file.
    if (first && event.startup !== undefined) {
      first = false;
      yield [event];
      continue;
    }
    first = false;
    tracker.assign(event);
    buffer.add(event);
    while (maxBuffer > 0 && buffer.size >= maxBuffer) yield buffer.pop() as EventSeries;
  }
  for (let series = buffer.pop(); series !== undefined; series = buffer.pop()) yield series;
}

function* chain<T>(head: T, rest: Iterator<T>): Generator<T, void, undefined> {
  yield head;
  for (let next = rest.next(); next.done !== true; next = rest.next()) yield next.value;
}

/**
 * The split files the reader will open after `path` (`<base>.<id+1>`, ...),
 * as far as they exist now: sorting into one of them would destroy input.
 */
function splitFilesAfter(path: string, id: number | undefined): string[] {
  if (id === undefined || extname(path) !== `.${id}`) return [];
  const base = path.slice(0, -extname(path).length);
  const files: string[] = [];
  for (let next = id + 1; existsSync(`${base}.${next}`); next++) files.push(`${base}.${next}`);
  return files;
}

/** Whether two paths name the same file (the second may not exist yet). */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
