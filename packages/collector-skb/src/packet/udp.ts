/**
 * UDP: ` len N` (payload length), followed by the tunnel it carries when the
 * destination port is a VXLAN or Geneve one.
 */
import { u16 } from './bytes';
import type { Dissection } from './dissection';
import { dissectGeneve, dissectVxlan } from './tunnel';

export const UDP_HLEN = 8;

const VXLAN_PORT = 4789;
/** Linux's VXLAN default before IANA assigned 4789. */
const VXLAN_LINUX_PORT = 8472;
const GENEVE_PORT = 6081;

export function dissectUdp(d: Dissection, off: number, end: number): void {
  if (end - off < UDP_HLEN) return d.truncated();
  const b = d.buf;
  d.out += ' len ' + Math.max(u16(b, off + 4) - UDP_HLEN, 0);
  switch (u16(b, off + 2)) {
    case VXLAN_PORT:
    case VXLAN_LINUX_PORT:
      return dissectVxlan(d, off + UDP_HLEN, end);
    case GENEVE_PORT:
      return dissectGeneve(d, off + UDP_HLEN, end);
  }
}
