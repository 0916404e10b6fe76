/**
 * Writing events files (reference §3.3): a startup event first, then one
 * JSON line per event (or per series for sorted files).
 *
 * Size rotation (`--out-rotate`): the active file is always `<path>`. Before
 * a line that would take it past the limit, it is closed and renamed
 * `<path>.<index>`, and a new `<path>` starts with a fresh startup event
 * whose `split_file.id` is the new index; at close the last one is renamed
 * too. A file holding only its startup event is never rotated, so one line
 * larger than the limit gets a file of its own instead of an empty one.
 *
 * Lines are written in chunks (ChunkedWriter); existing files are truncated.
 */
import { closeSync, openSync, renameSync } from 'fs';
import { ChunkedWriter } from './chunked-writer';
import type { SectionRegistry } from './registry';
import { monotonicNow, startupEvent } from './startup';
import type { EventSeries, RetisEvent, StartupSection } from './types';

export interface EventsFileWriterOptions {
  registry: SectionRegistry;
  /** The startup section, without split_file (the writer adds it when rotating). */
  startup: StartupSection;
  /** Rotate before a file grows past this many bytes. */
  rotateSize?: number;
  /** Characters gathered before a write (default 64 Ki: larger chunks fall out of the CPU caches). */
  bufferSize?: number;
  /** Monotonic ns for each startup event's timestamp (default: now). */
  clock?: () => bigint;
}

export class EventsFileWriter {
  private readonly file: ChunkedWriter;
  /** Bytes in the current file, written or pending (counted only when rotating). */
  private bytes = 0;
  private startupBytes = 0;
  private index = 0;
  private closed = false;
  private readonly clock: () => bigint;

  constructor(
    readonly path: string,
    private readonly opts: EventsFileWriterOptions,
  ) {
    if (opts.rotateSize !== undefined && !(opts.rotateSize > 0)) {
      throw new RangeError(`Invalid rotation size ${opts.rotateSize}`);
    }
    this.clock = opts.clock ?? monotonicNow;
    this.file = new ChunkedWriter(openSync(path, 'w'), opts.bufferSize);
    this.startFile();
  }

  /** Number of files produced so far (0 without rotation, as the reference logs it). */
  get files(): number {
    return this.index;
  }

  write(event: RetisEvent): void {
    this.writeLine(this.opts.registry.eventToJson(event));
  }

  writeSeries(series: EventSeries): void {
    this.writeLine(this.opts.registry.seriesToJson(series));
  }

  /** A line of JSON already serialised (without its newline). */
  writeLine(json: string): void {
    if (this.closed) throw new Error(`Events file ${this.path} is closed`);
    if (this.opts.rotateSize !== undefined) {
      const size = Buffer.byteLength(json) + 1;
      if (this.bytes + size > this.opts.rotateSize && this.bytes > this.startupBytes) this.rotate();
      this.bytes += size;
    }
    this.file.append(json + '\n');
  }

  flush(): void {
    this.file.flush();
  }

  /** Flush and close; with rotation, the last file is renamed `<path>.<index>`. Returns files(). */
  close(): number {
    if (this.closed) return this.index;
    this.flush();
    closeSync(this.file.fd);
    this.closed = true;
    if (this.opts.rotateSize !== undefined) this.retire();
    return this.index;
  }

  private startFile(): void {
    const startup: StartupSection = { ...this.opts.startup };
    if (this.opts.rotateSize !== undefined) {
      startup.split_file = { id: this.index, policy: { kind: 'size', limit: BigInt(this.opts.rotateSize) } };
    }
    const line = this.opts.registry.eventToJson(startupEvent(startup, this.clock()));
    this.file.append(line + '\n');
    this.bytes = this.startupBytes = Buffer.byteLength(line) + 1;
  }

  private rotate(): void {
    this.flush();
    closeSync(this.file.fd);
    this.retire();
    this.file.fd = openSync(this.path, 'w');
    this.startFile();
  }

  /** Rename the active file to its split name. */
  private retire(): void {
    renameSync(this.path, `${this.path}.${this.index}`);
    this.index++;
  }
}
