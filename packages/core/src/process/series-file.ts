/**
 * Writing a sorted file (reference §3.3): one series per line, each a JSON
 * array of events, the first one holding the startup event alone. Unlike an
 * events file there is no startup event of our own: the input's comes
 * through as the first series.
 *
 * Lines are gathered and written with one write(2) per `bufferSize`
 * characters; an existing file is truncated.
 */
import { closeSync, openSync, writeSync } from 'fs';
import { RetisError, RetisErrorCode } from '../errors';
import type { SectionRegistry } from '../events/registry';
import type { EventSeries } from '../events/types';

export class SeriesFileWriter {
  private readonly fd: number;
  private pending = '';
  private out: Buffer;
  private closed = false;

  /** Throws RetisError (OutputFile) when the file cannot be created. */
  constructor(
    readonly path: string,
    private readonly registry: SectionRegistry,
    private readonly bufferSize = 64 * 1024,
  ) {
    this.out = Buffer.allocUnsafe(bufferSize * 3);
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new RetisError(`Could not create or open '${path}'${code !== undefined ? ` (${code})` : ''}`, RetisErrorCode.OutputFile);
    }
  }

  write(series: EventSeries): void {
    if (this.closed) throw new Error(`Sorted file ${this.path} is closed`);
    this.pending += this.registry.seriesToJson(series) + '\n';
    if (this.pending.length >= this.bufferSize) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    // One reused buffer: a fresh Buffer per chunk costs more than the write.
    if (this.pending.length * 3 > this.out.length) this.out = Buffer.allocUnsafe(this.pending.length * 3);
    const n = this.out.write(this.pending, 0, 'utf8');
    this.pending = '';
    let off = 0;
    while (off < n) off += writeSync(this.fd, this.out, off, n - off);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}
