/**
 * TCP: ` flags [FSRP.UEWe] seq S[:E][ ack A] win W[ [options]]`.
 */
import { u16, u32 } from './bytes';
import type { Dissection } from './dissection';
import { tcpOptionsText } from './tcp-options';

export const TCP_HLEN = 20;

/**
 * `len` is the segment length the IP header announces: the sequence range
 * covers the payload even when the capture stops before it.
 */
export function dissectTcp(d: Dissection, off: number, end: number, len: number): void {
  if (end - off < TCP_HLEN) return d.truncated();
  const b = d.buf;
  const seq = u32(b, off + 4);
  const hlen = (b[off + 12] >>> 4) * 4;
  const flags = b[off + 13];

  let f = '';
  if (flags & 0x01) f += 'F';
  if (flags & 0x02) f += 'S';
  if (flags & 0x04) f += 'R';
  if (flags & 0x08) f += 'P';
  if (flags & 0x10) f += '.';
  if (flags & 0x20) f += 'U';
  if (flags & 0x40) f += 'E';
  if (flags & 0x80) f += 'W';
  // Lowest reserved bit: accurate ECN (RFC 7560).
  if (b[off + 12] & 0x01) f += 'e';

  let s = ' flags [' + f + '] seq ' + seq;
  const payload = len - hlen;
  // Sequence numbers wrap at 2^32.
  if (payload > 0) s += ':' + ((seq + payload) % 0x100000000);
  if (flags & 0x10) s += ' ack ' + u32(b, off + 8);
  s += ' win ' + u16(b, off + 14);

  if (hlen <= TCP_HLEN) {
    d.out += s;
    return;
  }
  const optsEnd = Math.min(off + hlen, end);
  d.out += s + ' [' + tcpOptionsText(b, off + TCP_HLEN, optsEnd) + ']';
  if (optsEnd < off + hlen) d.truncated();
}
