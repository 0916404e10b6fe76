/**
 * Text appended to a file descriptor in chunks: gathered in a string and
 * written with one write(2) per `bufferSize` characters (synchronous: the
 * caller's event loop turn owns the file), through one reused UTF-8 buffer.
 */
import { writeSync } from 'fs';

export class ChunkedWriter {
  private pending = '';
  private out: Buffer;

  /** `fd` may be replaced (file rotation) once flushed. */
  constructor(
    public fd: number,
    private readonly bufferSize = 64 * 1024,
  ) {
    this.out = Buffer.allocUnsafe(bufferSize * 3);
  }

  append(text: string): void {
    this.pending += text;
    if (this.pending.length >= this.bufferSize) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    // Encode into one reused buffer: Buffer.from() per chunk costs more
    // than the write itself (a fresh large allocation each time).
    if (this.pending.length * 3 > this.out.length) this.out = Buffer.allocUnsafe(this.pending.length * 3);
    const n = this.out.write(this.pending, 0, 'utf8');
    this.pending = '';
    let off = 0;
    while (off < n) off += writeSync(this.fd, this.out, off, n - off);
  }
}
