/**
 * Reads a file line by line in fixed-size chunks, so a multi-gigabyte
 * events file never sits in memory. Lines are split on the `\n` byte
 * before decoding (it never occurs inside a UTF-8 sequence), so a chunk
 * boundary cannot cut a character in two.
 *
 * Synchronous on purpose: post-processing reads one file front to back and
 * the per-line cost must stay far below JSON parsing; readline's async
 * machinery costs more than the split itself.
 */
import { closeSync, openSync, readSync } from 'fs';

const NEWLINE = 0x0a;

export class LineReader {
  /** 1-based number of the line last returned by next(). */
  lineNo = 0;
  /** Whether the line last returned ended with `\n` (false: cut at EOF). */
  terminated = true;
  private fd: number;
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;

  constructor(
    readonly path: string,
    chunkSize = 1 << 20,
  ) {
    this.fd = openSync(path, 'r');
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  /** The next line without its `\n`, or null at the end of the file. */
  next(): string | null {
    for (;;) {
      const nl = this.end > this.start ? this.buf.indexOf(NEWLINE, this.start) : -1;
      if (nl !== -1 && nl < this.end) {
        const line = this.buf.toString('utf8', this.start, nl);
        this.start = nl + 1;
        this.lineNo++;
        this.terminated = true;
        return line;
      }
      if (this.eof) {
        if (this.start === this.end) return null;
        const line = this.buf.toString('utf8', this.start, this.end);
        this.start = this.end;
        this.lineNo++;
        this.terminated = false;
        return line;
      }
      this.fill();
    }
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private fill(): void {
    // Keep the partial line: move it to the front, growing the buffer when
    // a single line is longer than it.
    const pending = this.end - this.start;
    if (pending === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
    }
    this.start = 0;
    this.end = pending;
    const n = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
    if (n === 0) this.eof = true;
    this.end += n;
  }
}
