/**
 * Text output to a writable stream, gathered in chunks, with backpressure;
 * a closed reader ends it quietly (StreamWriter).
 */
import type { Writable } from 'stream';
import { StreamWriter } from './stream-writer';

export class TextSink {
  private pending = '';
  private readonly stream: StreamWriter;

  constructor(
    out: Writable,
    private readonly chunk = 64 * 1024,
  ) {
    this.stream = new StreamWriter(out);
  }

  /** True once the reader went away; writes are dropped from then on. */
  get closed(): boolean {
    return this.stream.closed;
  }

  /**
   * Queue text. Returns a promise only when a chunk went to the stream (then
   * await it: it resolves once the stream can take more), so the common
   * case costs no microtask. Throws the stream's errors (not EPIPE).
   */
  write(text: string): Promise<void> | undefined {
    this.stream.check();
    if (this.closed) return undefined;
    this.pending += text;
    return this.pending.length >= this.chunk ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    this.stream.check();
    if (this.closed || this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    await this.stream.send(text);
  }

  /** Flush what is left and stop listening for errors. */
  async end(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.stream.detach();
    }
  }
}
