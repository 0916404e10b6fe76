/** ICMP and ICMPv6: ` type T code C`, numbers only. */
import type { Dissection } from './dissection';

const ICMP_HLEN = 4;

export function dissectIcmp(d: Dissection, off: number, end: number): void {
  if (end - off < ICMP_HLEN) return d.truncated();
  d.out += ' type ' + d.buf[off] + ' code ' + d.buf[off + 1];
}
