/**
 * IPsec: ESP (` spi 0x........ seq 0x.`, the rest is encrypted) and AH
 * (` spi 0x........ seq 0x. icv 0x.. proto NAME (n)` then what it protects).
 */
import { hex8, hexBytes, u32 } from './bytes';
import type { Dissection } from './dissection';
import { protoText } from './names';
import { dissectTransport } from './transport';

const ESP_HLEN = 8;
const AH_HLEN = 12;

export function dissectEsp(d: Dissection, off: number, end: number): void {
  if (end - off < ESP_HLEN) return d.truncated();
  const b = d.buf;
  d.out += ' spi 0x' + hex8(u32(b, off)) + ' seq 0x' + u32(b, off + 4).toString(16);
}

/** `len` is the length the IP header announces for AH and what follows it. */
export function dissectAh(d: Dissection, off: number, end: number, len: number): void {
  if (end - off < AH_HLEN) return d.truncated();
  const b = d.buf;
  const nh = b[off];
  // The AH length field counts 4-byte units minus 2; the ICV is what follows
  // the fixed 12 bytes (a bogus length below that means no ICV).
  const ahLen = (b[off + 1] + 2) * 4;
  const icvEnd = off + Math.max(ahLen, AH_HLEN);
  d.out +=
    ' spi 0x' + hex8(u32(b, off + 4)) + ' seq 0x' + u32(b, off + 8).toString(16) +
    ' icv 0x' + hexBytes(b, off + AH_HLEN, Math.min(icvEnd, end)) + protoText(nh);
  if (icvEnd > end) return d.truncated();
  dissectTransport(d, nh, icvEnd, end, Math.max(len - ahLen, 0));
}
