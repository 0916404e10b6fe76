/**
 * UDP tunnels: VXLAN (` vxlan [I] vni 0x.`) and Geneve
 * (` geneve [OC] vni 0x.[ proto ..][ [options]]`), each followed by the
 * packet they carry.
 */
import { u16, u24 } from './bytes';
import type { Dissection } from './dissection';
import { dissectEthernet, dissectEthertype, ETH_P_TEB } from './ethernet';
import { ethertypeText } from './names';

const VXLAN_HLEN = 8;
const GENEVE_HLEN = 8;
const GENEVE_OPT_HLEN = 4;

export function dissectVxlan(d: Dissection, off: number, end: number): void {
  if (end - off < VXLAN_HLEN) return d.truncated();
  const b = d.buf;
  d.out += ' vxlan [' + ((b[off] & 0x08) !== 0 ? 'I' : '') + '] vni 0x' + u24(b, off + 4).toString(16) + ' ';
  dissectEthernet(d, off + VXLAN_HLEN, end);
}

export function dissectGeneve(d: Dissection, off: number, end: number): void {
  if (end - off < GENEVE_HLEN) return d.truncated();
  const b = d.buf;
  const optsLen = (b[off] & 0x3f) * 4;
  const proto = u16(b, off + 2);

  let s = ' geneve [' + ((b[off + 1] & 0x80) !== 0 ? 'O' : '') + ((b[off + 1] & 0x40) !== 0 ? 'C' : '') +
    '] vni 0x' + u24(b, off + 4).toString(16);
  if (d.linkLayer) s += ' proto' + ethertypeText(proto);

  const optsStart = off + GENEVE_HLEN;
  const optsEnd = optsStart + optsLen;
  if (optsLen > 0) s += ' [' + optionsText(b, optsStart, Math.min(optsEnd, end)) + ']';
  d.out += s;
  if (optsEnd > end) return d.truncated();

  if (proto === ETH_P_TEB) {
    d.out += ' ';
    return dissectEthernet(d, optsEnd, end);
  }
  // The ethertype dispatch adds its own separator when link-layer text precedes it.
  if (!d.linkLayer) d.out += ' ';
  dissectEthertype(d, proto, optsEnd, end);
}

/**
 * `class 0x. type 0x.[(C)] len N` for each option, comma-separated; `len`
 * is the option's whole length in bytes, header included, as tcpdump prints.
 */
function optionsText(b: Uint8Array, off: number, end: number): string {
  let s = '';
  while (end - off >= GENEVE_OPT_HLEN) {
    const type = b[off + 2];
    const len = GENEVE_OPT_HLEN + (b[off + 3] & 0x1f) * 4;
    if (s !== '') s += ',';
    s += 'class 0x' + u16(b, off).toString(16) + ' type 0x' + type.toString(16) +
      ((type & 0x80) !== 0 ? '(C)' : '') + ' len ' + len;
    off += len;
  }
  return s;
}
