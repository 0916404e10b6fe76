/**
 * Binary output of `retis pcap`, opened on the first block only (as the
 * reference does: a run that finds nothing to write leaves no file behind),
 * gathered in chunks, with backpressure. A reader that goes away
 * (`retis pcap | tcpdump -c 1 -r -`: EPIPE) ends the output quietly.
 */
import { createWriteStream } from 'fs';
import type { Writable } from 'stream';
import { openOutputFile, StreamWriter } from './stream-writer';

/**
 * A file for the pcap-ng output, created (or truncated) now so that a path
 * that cannot be written is a clear error rather than a stream event.
 */
export function openPcapFile(path: string): Writable {
  return createWriteStream(path, { fd: openOutputFile(path) });
}

export class PcapSink {
  private stream: StreamWriter | undefined;
  private chunks: Buffer[] = [];
  private pendingBytes = 0;

  /** @param open gives the stream on the first write; its errors are the caller's. */
  constructor(
    private readonly open: () => Writable,
    private readonly chunk = 64 * 1024,
  ) {}

  /** Whether anything was written (the stream was opened). */
  get opened(): boolean {
    return this.stream !== undefined;
  }

  /** True once the reader went away; writes are dropped from then on. */
  get closed(): boolean {
    return this.stream?.closed ?? false;
  }

  /** Queue bytes; returns a promise only when a chunk went out (await it). */
  write(bytes: Buffer): Promise<void> | undefined {
    this.stream ??= new StreamWriter(this.open());
    this.stream.check();
    if (this.closed) return undefined;
    this.chunks.push(bytes);
    this.pendingBytes += bytes.length;
    return this.pendingBytes >= this.chunk ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined || stream.closed || this.pendingBytes === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.pendingBytes);
    this.chunks = [];
    this.pendingBytes = 0;
    await stream.send(data);
  }

  /**
   * Flush what is left. With `finish`, end the stream and wait until its
   * data reached the file (for a file of our own; never for stdout).
   */
  async end(finish: boolean): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return;
    try {
      await this.flush();
      if (finish) {
        const out = stream.out;
        await new Promise<void>((resolve) => {
          out.once('close', resolve);
          out.once('error', () => resolve());
          out.end();
        });
        stream.check();
      }
    } finally {
      stream.detach();
    }
  }
}
