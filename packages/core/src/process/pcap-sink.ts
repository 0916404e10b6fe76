/**
 * Binary output of `retis pcap`, opened on the first block only (as the
 * reference does: a run that finds nothing to write leaves no file behind),
 * gathered in chunks, with backpressure. A reader that goes away
 * (`retis pcap | tcpdump -c 1 -r -`: EPIPE) ends the output quietly.
 */
import { createWriteStream, openSync } from 'fs';
import type { Writable } from 'stream';
import { RetisError, RetisErrorCode } from '../errors';

/**
 * A file for the pcap-ng output, created (or truncated) now so that a path
 * that cannot be written is a clear error rather than a stream event.
 */
export function openPcapFile(path: string): Writable {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RetisError(`Could not create or open '${path}'${code !== undefined ? ` (${code})` : ''}`, RetisErrorCode.OutputFile);
  }
  return createWriteStream(path, { fd });
}

export class PcapSink {
  private out: Writable | undefined;
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  private error: Error | undefined;
  /** True once the reader went away; writes are dropped from then on. */
  closed = false;
  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') this.closed = true;
    else this.error ??= e;
  };

  /** @param open gives the stream on the first write; its errors are the caller's. */
  constructor(
    private readonly open: () => Writable,
    private readonly chunk = 64 * 1024,
  ) {}

  /** Whether anything was written (the stream was opened). */
  get opened(): boolean {
    return this.out !== undefined;
  }

  /** Queue bytes; returns a promise only when a chunk went out (await it). */
  write(bytes: Buffer): Promise<void> | undefined {
    if (this.out === undefined) {
      this.out = this.open();
      this.out.on('error', this.onError);
    }
    if (this.error !== undefined) throw this.error;
    if (this.closed) return undefined;
    this.chunks.push(bytes);
    this.pendingBytes += bytes.length;
    return this.pendingBytes >= this.chunk ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    const out = this.out;
    if (out === undefined || this.closed || this.pendingBytes === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.pendingBytes);
    this.chunks = [];
    this.pendingBytes = 0;
    let ok: boolean;
    try {
      ok = out.write(data);
    } catch (e) {
      this.onError(e as NodeJS.ErrnoException);
      if (this.error !== undefined) throw this.error;
      return;
    }
    if (!ok) await drained(out);
    if (this.error !== undefined) throw this.error;
  }

  /**
   * Flush what is left. With `finish`, end the stream and wait until its
   * data reached the file (for a file of our own; never for stdout).
   */
  async end(finish: boolean): Promise<void> {
    const out = this.out;
    if (out === undefined) return;
    try {
      await this.flush();
      if (finish) {
        await new Promise<void>((resolve) => {
          out.once('close', resolve);
          out.once('error', () => resolve());
          out.end();
        });
        if (this.error !== undefined) throw this.error;
      }
    } finally {
      out.off('error', this.onError);
    }
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
    out.on('close', done);
  });
}
