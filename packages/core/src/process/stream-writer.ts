/**
 * The stream side of the output sinks (text and pcap-ng): writes with
 * backpressure, where a closed reader (EPIPE: `retis print | head`,
 * `retis pcap | tcpdump -c 1 -r -`) ends the output quietly instead of
 * failing, and any other stream error is thrown at the next write.
 */
import { openSync } from 'fs';
import type { Writable } from 'stream';
import { RetisError, RetisErrorCode } from '../errors';

export class StreamWriter {
  private error: Error | undefined;
  /** True once the reader went away; writes are dropped from then on. */
  closed = false;
  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') this.closed = true;
    else this.error ??= e;
  };

  constructor(readonly out: Writable) {
    out.on('error', this.onError);
  }

  /** Throws the stream's error, if it had one (not EPIPE). */
  check(): void {
    if (this.error !== undefined) throw this.error;
  }

  /** Writes one chunk; resolves once the stream can take more. */
  async send(data: string | Buffer): Promise<void> {
    let ok: boolean;
    try {
      ok = this.out.write(data);
    } catch (e) {
      this.onError(e as NodeJS.ErrnoException);
      this.check();
      return;
    }
    if (!ok) await this.drained();
    this.check();
  }

  /** Stops listening for the stream's errors. */
  detach(): void {
    this.out.off('error', this.onError);
  }

  private drained(): Promise<void> {
    const out = this.out;
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
}

/** Creates (or truncates) an output file: a clear error now rather than a stream event later. */
export function openOutputFile(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RetisError(`Could not create or open '${path}'${code !== undefined ? ` (${code})` : ''}`, RetisErrorCode.OutputFile);
  }
}
