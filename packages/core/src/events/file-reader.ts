/**
 * Reading events files (reference §3.3): JSON lines whose first line is the
 * startup event, or a sorted file whose lines are series (JSON arrays).
 *
 * - The kind (events or series) comes from the first line: object or array.
 * - The startup event's `retis_version` selects the compatibility fix-ups.
 * - Rotation-aware reading (`follow`): when the startup event carries
 *   `split_file` and the path ends with `.<id>`, the following split files
 *   `<base>.<id+1>`, ... are read too, until one is missing. Their own
 *   startup events come through as ordinary events, as in the reference.
 * - Errors name the file and line. A line that fails to parse stops the
 *   reading (the reference stops there too) unless `onInvalidLine` takes
 *   it; a cut last line (no trailing newline, as a killed collection leaves
 *   it) is reported through `onWarning` and treated as the end of the file.
 *   Blank lines are skipped. See docs/events-file.md.
 */
import { existsSync, statSync } from 'fs';
import { extname } from 'path';
import { CompatError, type CompatLevel, compatLevelOf } from './compat';
import { type JsonValue, parseJson } from './json';
import { LineReader } from './line-reader';
import type { SectionRegistry } from './registry';
import type { EventSeries, RetisEvent } from './types';

export type EventsFileKind = 'events' | 'series';

/** A problem in an events file, located by path and line. */
export class EventsFileError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${path}:${line}: ${reason}` : `${path}: ${reason}`);
    this.name = 'EventsFileError';
  }
}

export interface EventsFileReaderOptions {
  registry: SectionRegistry;
  /** Rotation-aware reading: continue with the following split files. */
  follow?: boolean;
  /** Non-fatal problems (a cut last line). Without it they are errors. */
  onWarning?: (msg: string) => void;
  /**
   * Called for a line that is not a valid event (bad JSON, bad section);
   * the line is then skipped. Without it such a line ends the reading with
   * the error, as in the reference.
   */
  onInvalidLine?: (error: EventsFileError) => void;
}

interface Segment {
  lines: LineReader;
  compat: CompatLevel;
  /** First line, already read to find the kind and version. */
  first: JsonValue | undefined;
}

export class EventsFileReader {
  /** Events or series, from the first line of the first file. */
  readonly kind: EventsFileKind;
  /** Files opened so far, in reading order. */
  readonly paths: string[] = [];
  private segment: Segment | undefined;
  /** Base path and next split id to open, when following split files. */
  private nextSplit: { base: string; id: number } | undefined;

  private constructor(
    private readonly opts: EventsFileReaderOptions,
    path: string,
  ) {
    const { segment, kind, split } = openSegment(path);
    this.segment = segment;
    this.kind = kind;
    this.paths.push(path);
    if (opts.follow === true && split !== undefined && extname(path) === `.${split}`) {
      this.nextSplit = { base: path.slice(0, -extname(path).length), id: split + 1 };
    }
  }

  /** Open a file and read its first line; throws EventsFileError. */
  static open(path: string, opts: EventsFileReaderOptions): EventsFileReader {
    return new EventsFileReader(opts, path);
  }

  /** Every event of an events file; throws on a sorted file. */
  *events(): Generator<RetisEvent, void, undefined> {
    if (this.kind !== 'events') throw new EventsFileError(this.paths[0], 0, 'Cannot read events from a sorted file');
    for (let v = this.nextValue(); v !== undefined; v = this.nextValue()) {
      const event = this.toEvent(v);
      if (event !== undefined) yield event;
    }
  }

  /** Every series of a sorted file; throws on an events file. */
  *series(): Generator<EventSeries, void, undefined> {
    if (this.kind !== 'series') throw new EventsFileError(this.paths[0], 0, 'Cannot read series from an unsorted file');
    for (let v = this.nextValue(); v !== undefined; v = this.nextValue()) {
      const series = this.toSeries(v);
      if (series !== undefined) yield series;
    }
  }

  close(): void {
    this.segment?.lines.close();
    this.segment = undefined;
    this.nextSplit = undefined;
  }

  private toEvent(value: JsonValue): RetisEvent | undefined {
    const seg = this.segment as Segment;
    try {
      return this.opts.registry.eventFromValue(value, seg.compat);
    } catch (e) {
      return this.invalid(new EventsFileError(seg.lines.path, seg.lines.lineNo, (e as Error).message));
    }
  }

  private toSeries(value: JsonValue): EventSeries | undefined {
    const seg = this.segment as Segment;
    try {
      if (!Array.isArray(value)) throw new Error('Expected a series (a JSON array of events)');
      return value.map((e) => this.opts.registry.eventFromValue(e, seg.compat));
    } catch (e) {
      return this.invalid(new EventsFileError(seg.lines.path, seg.lines.lineNo, (e as Error).message));
    }
  }

  /** Report and skip an invalid line, or throw without an onInvalidLine handler. */
  private invalid(error: EventsFileError): undefined {
    if (this.opts.onInvalidLine === undefined) throw error;
    this.opts.onInvalidLine(error);
    return undefined;
  }

  /** The next line's parsed JSON, moving to the next split file at EOF. */
  private nextValue(): JsonValue | undefined {
    for (;;) {
      const seg = this.segment;
      if (seg === undefined) return undefined;
      if (seg.first !== undefined) {
        const first = seg.first;
        seg.first = undefined;
        return first;
      }
      const line = seg.lines.next();
      if (line === null) {
        this.nextSegment();
        continue;
      }
      if (isBlank(line)) continue;
      try {
        return parseJson(line);
      } catch (e) {
        if (!seg.lines.terminated && this.opts.onWarning !== undefined) {
          this.opts.onWarning(`${seg.lines.path}:${seg.lines.lineNo}: incomplete last line ignored`);
          this.nextSegment();
          continue;
        }
        this.invalid(new EventsFileError(seg.lines.path, seg.lines.lineNo, `Invalid JSON: ${(e as Error).message}`));
      }
    }
  }

  private nextSegment(): void {
    this.segment?.lines.close();
    this.segment = undefined;
    const next = this.nextSplit;
    if (next === undefined) return;
    const path = `${next.base}.${next.id}`;
    if (!existsSync(path)) {
      this.nextSplit = undefined;
      return;
    }
    next.id++;
    const opened = openSegment(path);
    if (opened.kind !== this.kind) {
      opened.segment.lines.close();
      throw new EventsFileError(path, 1, `Split file holds ${opened.kind} but ${this.paths[0]} holds ${this.kind}`);
    }
    this.segment = opened.segment;
    this.paths.push(path);
  }
}

function isBlank(line: string): boolean {
  return line.length === 0 || line.trim().length === 0;
}

/** Open one file, read its first line: kind, compat level and split id. */
function openSegment(path: string): { segment: Segment; kind: EventsFileKind; split: number | undefined } {
  let lines: LineReader;
  try {
    if (!statSync(path).isFile()) throw new Error('Not a regular file');
    lines = new LineReader(path);
  } catch (e) {
    throw new EventsFileError(path, 0, `Could not open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    let line = lines.next();
    while (line !== null && isBlank(line)) line = lines.next();
    if (line === null) throw new EventsFileError(path, 0, 'File is empty');
    let first: JsonValue;
    try {
      first = parseJson(line);
    } catch (e) {
      throw new EventsFileError(path, lines.lineNo, `Invalid JSON: ${(e as Error).message}`);
    }
    let kind: EventsFileKind;
    let startupEvent: JsonValue | undefined;
    if (Array.isArray(first)) {
      kind = 'series';
      // The first series of a sorted file is the startup event alone.
      startupEvent = first[first.length - 1];
    } else if (typeof first === 'object' && first !== null) {
      kind = 'events';
      startupEvent = first;
    } else {
      throw new EventsFileError(path, lines.lineNo, 'File contains invalid JSON data (neither an event nor a series)');
    }
    const startup = startupOf(startupEvent);
    if (startup === undefined || typeof startup.retis_version !== 'string') {
      throw new EventsFileError(path, lines.lineNo, 'Cannot find version in startup event');
    }
    let compat: CompatLevel;
    try {
      compat = compatLevelOf(startup.retis_version);
    } catch (e) {
      if (e instanceof CompatError) throw new EventsFileError(path, lines.lineNo, e.message);
      throw e;
    }
    const split = splitIdOf(startup);
    return { segment: { lines, compat, first }, kind, split };
  } catch (e) {
    lines.close();
    throw e;
  }
}

function startupOf(event: JsonValue | undefined): Record<string, JsonValue> | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  const s = event.startup;
  return typeof s === 'object' && s !== null && !Array.isArray(s) ? s : undefined;
}

function splitIdOf(startup: Record<string, JsonValue>): number | undefined {
  const split = startup.split_file;
  if (typeof split !== 'object' || split === null || Array.isArray(split)) return undefined;
  return typeof split.id === 'number' && Number.isInteger(split.id) && split.id >= 0 ? split.id : undefined;
}
