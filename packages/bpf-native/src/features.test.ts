import { existsSync } from 'fs';
import { release } from 'os';

import { bpfNative } from './index';

describe('features', () => {
  it('probes what this kernel supports', () => {
    const features = bpfNative.features();
    const hasKprobes = existsSync('/sys/bus/event_source/devices/kprobe');
    const [major, minor] = release().split('.').map(Number);
    expect(features).toMatchObject({
      rawTracepoint: true,
      tpBtf: true,
      tracepoint: true,
      uprobe: true,
      ringbuf: true,
      kprobe: hasKprobes,
      kretprobe: hasKprobes,
      // The raw tracepoint cookie came with Linux 6.10.
      rawTracepointCookie: major > 6 || (major === 6 && minor >= 10),
    });
    if (!hasKprobes) {
      // The development and CI kernel: no kprobes, and BPF trampolines refused.
      expect([features.kprobeMulti, features.fentry, features.fexit]).toEqual([false, false, false]);
    }
  });

  it('caches the answers', () => {
    bpfNative.features();
    const start = process.hrtime.bigint();
    bpfNative.features();
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(5);
  });
});
