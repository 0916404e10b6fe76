import type { RingBufferReader, RingBufferStats } from './api';
import type { NativeRingBuffer } from './native';

/** The api.ts RingBufferReader over a NativeRingBuffer. */
export class RingBufferHandle implements RingBufferReader {
  constructor(private readonly native: NativeRingBuffer) {}

  start(): void {
    this.native.start();
  }

  stop(): Promise<void> {
    return this.native.stop();
  }

  stats(): RingBufferStats {
    return this.native.stats();
  }
}
