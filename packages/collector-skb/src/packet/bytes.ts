/**
 * Big-endian field readers and fixed-width hex helpers over raw packet bytes.
 *
 * Callers check bounds before reading: these run once per header field of
 * every printed packet, so they do no checking of their own and allocate
 * nothing but the returned strings.
 */

export function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u24(b: Uint8Array, o: number): number {
  return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
}

export function u32(b: Uint8Array, o: number): number {
  // `<< 24` would go negative for values >= 2^31: multiply instead.
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

/** Two lowercase hex digits for every byte value, built once. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** `n` (0..255) as two lowercase hex digits. */
export function hex2(n: number): string {
  return HEX2[n];
}

/** `n` (0..0xffff) as four lowercase hex digits, as Rust's `{:#06x}` prints after its `0x`. */
export function hex4(n: number): string {
  return HEX2[n >>> 8] + HEX2[n & 0xff];
}

/** `n` (0..2^32-1) as eight lowercase hex digits, as Rust's `{:#010x}` prints after its `0x`. */
export function hex8(n: number): string {
  return hex4(Math.floor(n / 0x10000)) + hex4(n % 0x10000);
}

/** `end - start` bytes from `start` as contiguous lowercase hex digits. */
export function hexBytes(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX2[b[i]];
  return s;
}
