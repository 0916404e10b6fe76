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

  /** Queue text; resolves once the stream can take more. Throws the stream's errors (not EPIPE). */
  async write(text: string): Promise<void> {
    if (this.error !== undefined) throw this.error;
    if (this.closed) return;
    this.pending += text;
    if (this.pending.length >= this.chunk) await this.flush();
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
