/**
 * IPv4: `{src}[.port] > {dst}[.port] tos 0x.[ ECN] ttl N id N off N[ [+,DF,rsvd]][ len N][ opts [..]] proto NAME (n)`.
 */
import { ipv4At } from './addr';
import { u16 } from './bytes';
import type { Dissection } from './dissection';
import { protoText } from './names';
import { dissectTransport, endpoints } from './transport';

const IPV4_HLEN = 20;

/** Text of the two ECN bits, shared with IPv6's traffic class. */
export function ecnText(ecn: number): string {
  switch (ecn & 3) {
    case 1: return ' ECT(1)';
    case 2: return ' ECT(0)';
    case 3: return ' CE';
    default: return '';
  }
}

export function dissectIpv4(d: Dissection, off: number, end: number): void {
  if (end - off < IPV4_HLEN) return d.truncated();
  const b = d.buf;
  const hlen = (b[off] & 0x0f) * 4;
  const totalLen = u16(b, off + 2);
  const fragField = u16(b, off + 6);
  const fragOff = (fragField & 0x1fff) * 8;
  const proto = b[off + 9];

  // Options occupy what the header length announces beyond 20 bytes; the
  // payload is bounded by the total length, and both by the capture.
  const optsStart = off + IPV4_HLEN;
  const optsEnd = Math.min(off + Math.max(hlen, IPV4_HLEN), end);
  const l4Len = Math.max(totalLen - hlen, 0);
  const l4Start = Math.min(off + Math.max(hlen, IPV4_HLEN), end);
  const l4End = Math.min(l4Start + l4Len, end);

  // Only a first fragment carries the transport header.
  const hasTransport = fragOff === 0;

  const src = ipv4At(b, off + 12);
  const dst = ipv4At(b, off + 16);
  let s =
    (hasTransport ? endpoints(d, src, dst, proto, l4Start, l4End) : src + ' > ' + dst) +
    ' tos 0x' + (b[off + 1] >>> 2).toString(16) + ecnText(b[off + 1]) +
    ' ttl ' + b[off + 8] + ' id ' + u16(b, off + 4) + ' off ' + fragOff;

  if ((fragField & 0xe000) !== 0) {
    let flags = '';
    if ((fragField & 0x2000) !== 0) flags = '+';
    if ((fragField & 0x4000) !== 0) flags += flags === '' ? 'DF' : ',DF';
    if ((fragField & 0x8000) !== 0) flags += flags === '' ? 'rsvd' : ',rsvd';
    s += ' [' + flags + ']';
  }

  // The total length can still be unset at some points of the stack.
  if (totalLen > 0) s += ' len ' + totalLen;
  if (optsEnd > optsStart) s += optionsText(b, optsStart, optsEnd);
  d.out += s + protoText(proto);

  if (hasTransport) dissectTransport(d, proto, l4Start, l4End, l4Len);
}

/**
 * ` opts [..]` listing each option by number, as Retis prints it
 * (`Ipv4OptionNumber(n)`, n being the low five bits of the type). An end of
 * list at the very start is header padding and prints nothing.
 */
function optionsText(b: Uint8Array, off: number, end: number): string {
  let list = '';
  while (off < end) {
    const number = b[off] & 0x1f;
    if (number === 0) {
      if (list !== '') list += ',Ipv4OptionNumber(0)';
      break;
    }
    if (list !== '') list += ',';
    list += 'Ipv4OptionNumber(' + number + ')';
    // No-operation is a single byte; every other option has a length byte
    // counting the type and itself (a bogus length still moves us 2 bytes).
    off += number === 1 ? 1 : off + 1 < end ? Math.max(b[off + 1], 2) : 2;
  }
  return list === '' ? '' : ' opts [' + list + ']';
}
