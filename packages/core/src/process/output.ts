/**
 * Text output to a writable stream with backpressure, where a closed reader
 * (EPIPE: `retis print | head`) ends the output quietly instead of failing.
 */
import type { Writable } from 'stream';

export class TextSink {
  private pending = '';
  private error: Error | undefined;
  /** True once the reader went away; writes are dropped from then on. */
  closed = false;
  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') this.closed = true;
    else this.error ??= e;
  };

  constructor(
    private readonly out: Writable,
    private readonly chunk = 64 * 1024,
  ) {
    out.on('error', this.onError);
  }

  /**
   * Queue text. Returns a promise only when a chunk went to the stream (then
   * await it: it resolves once the stream can take more), so the common
   * case costs no microtask. Throws the stream's errors (not EPIPE).
   */
  write(text: string): Promise<void> | undefined {
    if (this.error !== undefined) throw this.error;
    if (this.closed) return undefined;
    this.pending += text;
    return this.pending.length >= this.chunk ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.error !== undefined) throw this.error;
    if (this.closed || this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    let ok: boolean;
    try {
      ok = this.out.write(text);
    } catch (e) {
      this.onError(e as NodeJS.ErrnoException);
      if (this.error !== undefined) throw this.error;
      return;
    }
    if (!ok) await this.drained();
    if (this.error !== undefined) throw this.error;
  }

  /** Flush what is left and stop listening for errors. */
  async end(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.out.off('error', this.onError);
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('error', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
      this.out.on('close', done);
    });
  }
}
