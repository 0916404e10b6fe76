/**
 * Tests that need a kernel feature declare it. On a kernel without the
 * feature such a test is not run: it is recorded as owed to another kernel
 * (RETIS_KERNEL_REPORT/deferred.jsonl), and test/kernels/summary.js fails CI
 * unless it ran and passed on one of the kernels (this machine's or the VM's).
 */
import * as fs from 'fs';
import * as path from 'path';
import { bpfNative, type KernelFeatures } from '@retis/bpf-native';
import { ROOT } from './retis';

export type KernelNeed = keyof KernelFeatures | 'openvswitch';

function has(need: KernelNeed): boolean {
  if (need === 'openvswitch') {
    try {
      return fs.readFileSync('/proc/modules', 'utf8').includes('openvswitch ') || fs.existsSync('/sys/module/openvswitch');
    } catch {
      return false;
    }
  }
  return bpfNative.features()[need];
}

/** Where the calling test file lives, relative to the repository. */
function callerFile(): string {
  const stack = new Error().stack ?? '';
  const line = stack.split('\n').find((l) => l.includes('/test/') && l.includes('.test.ts'));
  const m = line && /\((.*\.test\.ts):\d+:\d+\)|at (.*\.test\.ts):\d+:\d+/.exec(line);
  const file = m ? (m[1] ?? m[2]) : 'unknown';
  return path.relative(ROOT, file);
}

/** `test(name, fn)` where the kernel has every `needs`; recorded for another kernel otherwise. */
export function kernelTest(needs: KernelNeed[], name: string, fn: () => unknown, timeout?: number): void {
  const missing = needs.filter((n) => !has(n));
  if (missing.length === 0) {
    test(name, fn as jest.ProvidesCallback, timeout);
    return;
  }
  const dir = process.env.RETIS_KERNEL_REPORT;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'deferred.jsonl'), JSON.stringify({ file: callerFile(), title: name, missing }) + '\n');
  }
}

/** Time limits scale under emulation (the VM runs about 14 times slower). */
export const SLOWDOWN = process.env.RETIS_VM === '1' ? 10 : 1;
