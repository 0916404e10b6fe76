/** ARP and RARP operations over Ethernet/IPv4, worded as tcpdump does. */
import { ipv4At, isZeroMac, macAt } from './addr';
import { u16 } from './bytes';
import type { Dissection } from './dissection';

/** Fixed Ethernet/IPv4 layout; the hardware and protocol length fields are not used. */
const ARP_LEN = 28;
const OP = 6;
const SHA = 8;
const SPA = 14;
const THA = 18;
const TPA = 24;

export function dissectArp(d: Dissection, off: number, end: number): void {
  if (end - off < ARP_LEN) return d.truncated();
  const b = d.buf;
  const op = u16(b, off + OP);
  switch (op) {
    case 1:
      d.out += 'request who-has ' + ipv4At(b, off + TPA);
      if (!isZeroMac(b, off + THA)) d.out += ' (' + macAt(b, off + THA) + ')';
      d.out += ' tell ' + ipv4At(b, off + SPA);
      return;
    case 2:
      d.out += 'reply ' + ipv4At(b, off + SPA) + ' is-at ' + macAt(b, off + SHA);
      return;
    case 3:
      d.out += 'reverse request who-is ' + macAt(b, off + THA) + ' tell ' + macAt(b, off + SHA);
      return;
    case 4:
      d.out += 'reverse reply ' + macAt(b, off + THA) + ' at ' + ipv4At(b, off + TPA);
      return;
    default:
      return d.unsupported('ARP operation ' + op);
  }
}
