/** Small helpers for collector authors. */
import * as path from 'path';
import { endianness } from 'os';

/**
 * Path of a built hook object of a collector package: `<package>/dist/<name>.bpf.o`.
 * `moduleDir` is the `__dirname` of a module in the package's `src/` or `lib/`.
 */
export function hookObjectPath(moduleDir: string, name: string): string {
  return path.resolve(moduleDir, '..', 'dist', `${name}.bpf.o`);
}

const LE = endianness() === 'LE';

/** A u32 map key or value in host byte order. */
export function u32Bytes(value: number): Buffer {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(value >>> 0);
  else b.writeUInt32BE(value >>> 0);
  return b;
}

/** A u64 map key or value in host byte order. */
export function u64Bytes(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  if (LE) b.writeBigUInt64LE(BigInt.asUintN(64, value));
  else b.writeBigUInt64BE(BigInt.asUintN(64, value));
  return b;
}
