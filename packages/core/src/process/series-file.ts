/**
 * Writing a sorted file (reference §3.3): one series per line, each a JSON
 * array of events, the first one holding the startup event alone. Unlike an
 * events file there is no startup event of our own: the input's comes
 * through as the first series.
 *
 * Lines are written in chunks (ChunkedWriter); an existing file is
 * truncated.
 */
import { closeSync } from 'fs';
import { ChunkedWriter } from '../events/chunked-writer';
import { openOutputFile } from './stream-writer';
import type { SectionRegistry } from '../events/registry';
import type { EventSeries } from '../events/types';

export class SeriesFileWriter {
  private readonly file: ChunkedWriter;
  private closed = false;

  /** Throws RetisError (OutputFile) when the file cannot be created. */
  constructor(
    readonly path: string,
    private readonly registry: SectionRegistry,
    bufferSize = 64 * 1024,
  ) {
    this.file = new ChunkedWriter(openOutputFile(path), bufferSize);
  }

  write(series: EventSeries): void {
    if (this.closed) throw new Error(`Sorted file ${this.path} is closed`);
    this.file.append(this.registry.seriesToJson(series) + '\n');
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      closeSync(this.file.fd);
    }
  }
}
