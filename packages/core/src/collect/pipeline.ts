/**
 * The event path of a collection: raw records from the ring buffer, in
 * batches, decoded into events and written to the file and/or the console.
 * Output is written once per batch (one write call, not one per event).
 */
import * as fs from 'fs';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import type { DisplayFormat, SectionFactory } from '../events/section';
import type { RetisEvent } from '../events/types';
import type { SectionRegistry } from '../events/registry';
import { parseRawEvent, FactoryTable } from '../events/raw';
import { ChunkedWriter } from '../events/chunked-writer';
import { CommonFactory, KernelFactory, type KernelSymbolResolver, type StackResolver } from '../events/core-factories';
import { eventOutput } from '../process/print';
import { monotonicOffsetNs } from '../display/time';

/** Output is written whenever this many characters are pending. */
const CHUNK = 64 * 1024;

export interface PipelineOptions {
  out?: string;
  print: boolean;
  display: DisplayFormat;
  stdout: NodeJS.WritableStream;
  sections: SectionRegistry;
  log: Logger;
  stopAfter?: number;
}

export class EventPipeline {
  /** Events from BPF written so far. */
  processed = 0;
  onStopCount?: (n: number) => void;
  private file?: ChunkedWriter;
  private readonly console: boolean;
  private factories?: FactoryTable;
  private parseErrors = 0;
  private readonly display: DisplayFormat;

  constructor(private readonly opts: PipelineOptions) {
    if (opts.out !== undefined) {
      try {
        this.file = new ChunkedWriter(fs.openSync(opts.out, 'w'), CHUNK);
      } catch (e) {
        throw new RetisError(`Could not create the events file ${opts.out}: ${errorMessage(e)}`, RetisErrorCode.OutputFile);
      }
    }
    this.console = opts.out === undefined || opts.print;
    this.display = { ...opts.display };
  }

  get countReached(): boolean {
    return this.opts.stopAfter !== undefined && this.processed >= this.opts.stopAfter;
  }

  setFactories(collectorFactories: SectionFactory[], resolveSymbol: KernelSymbolResolver, resolveStack?: StackResolver): void {
    const log = this.opts.log;
    this.factories = new FactoryTable(
      [new CommonFactory(), new KernelFactory({ resolveSymbol, resolveStack }), ...collectorFactories],
      (msg) => log.warn(msg),
    );
  }

  /** Writes an event that did not come from BPF (the startup event). */
  write(event: RetisEvent): void {
    if (event.startup) this.display.monotonicOffset = monotonicOffsetNs(event.startup.clock_monotonic_offset);
    this.file?.append(this.opts.sections.eventToJson(event) + '\n');
    this.file?.flush();
  }

  processBatch(data: Buffer, offsets: Uint32Array, lengths: Uint32Array): void {
    const factories = this.factories!;
    const file = this.file;
    // One DataView for the whole batch, shared by every factory.
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let text = '';
    for (let i = 0; i < offsets.length; i++) {
      if (this.countReached) break;
      const event: RetisEvent = {};
      try {
        parseRawEvent(data, offsets[i], lengths[i], factories, event, view);
      } catch (e) {
        if (this.parseErrors++ < 10) this.opts.log.error(`Could not parse raw event: ${errorMessage(e)}`);
        continue;
      }
      // Written in chunks: one huge concatenated string costs several
      // times more to flatten and encode than the events themselves.
      if (file !== undefined) file.append(this.opts.sections.eventToJson(event) + '\n');
      if (this.console) {
        text += eventOutput(event, this.opts.sections, this.display);
        if (text.length >= CHUNK) {
          this.opts.stdout.write(text);
          text = '';
        }
      }
      this.processed++;
    }
    file?.flush();
    if (text) this.opts.stdout.write(text);
    if (this.countReached) this.onStopCount?.(this.processed);
  }

  close(): void {
    if (this.parseErrors > 10) this.opts.log.error(`${this.parseErrors} raw event(s) could not be parsed in all`);
    if (this.file !== undefined) {
      this.file.flush();
      fs.closeSync(this.file.fd);
      this.file = undefined;
    }
  }
}
