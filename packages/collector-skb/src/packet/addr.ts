/**
 * Address text: MAC as `aa:bb:cc:dd:ee:ff`, IPv4 dotted quad, IPv6 in the
 * RFC 5952 short form (Rust's `Ipv6Addr` display, which Retis prints).
 */
import { hex2, u16 } from './bytes';

export function macAt(b: Uint8Array, o: number): string {
  return (
    hex2(b[o]) + ':' + hex2(b[o + 1]) + ':' + hex2(b[o + 2]) + ':' +
    hex2(b[o + 3]) + ':' + hex2(b[o + 4]) + ':' + hex2(b[o + 5])
  );
}

export function isZeroMac(b: Uint8Array, o: number): boolean {
  return (b[o] | b[o + 1] | b[o + 2] | b[o + 3] | b[o + 4] | b[o + 5]) === 0;
}

export function ipv4At(b: Uint8Array, o: number): string {
  return b[o] + '.' + b[o + 1] + '.' + b[o + 2] + '.' + b[o + 3];
}

/** The eight 16-bit groups of the address being printed; reused to avoid an allocation per address. */
const groups = new Uint16Array(8);

export function ipv6At(b: Uint8Array, o: number): string {
  for (let i = 0; i < 8; i++) groups[i] = u16(b, o + 2 * i);

  // IPv4-mapped addresses keep the dotted quad (::ffff:a.b.c.d).
  if (
    (groups[0] | groups[1] | groups[2] | groups[3] | groups[4]) === 0 &&
    groups[5] === 0xffff
  ) {
    return '::ffff:' + ipv4At(b, o + 12);
  }

  // Longest run of zero groups, the first one on a tie; a single zero group
  // is never shortened (RFC 5952 §4.2.2).
  let bestStart = 0;
  let bestLen = 0;
  let curStart = 0;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (groups[i] === 0) {
      if (curLen === 0) curStart = i;
      curLen++;
      if (curLen > bestLen) {
        bestStart = curStart;
        bestLen = curLen;
      }
    } else {
      curLen = 0;
    }
  }

  if (bestLen < 2) return joinGroups(0, 8);
  return joinGroups(0, bestStart) + '::' + joinGroups(bestStart + bestLen, 8);
}

function joinGroups(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    if (i > from) s += ':';
    s += groups[i].toString(16);
  }
  return s;
}
