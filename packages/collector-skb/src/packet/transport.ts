/**
 * The transport layer, by IP protocol number, and the address/port pair that
 * opens the IPv4 and IPv6 lines.
 */
import { u16 } from './bytes';
import type { Dissection } from './dissection';
import { dissectIcmp } from './icmp';
import { dissectAh, dissectEsp } from './ipsec';
import { dissectSctp } from './sctp';
import { dissectTcp, TCP_HLEN } from './tcp';
import { dissectUdp, UDP_HLEN } from './udp';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_SCTP = 132;

const SCTP_PORTS_LEN = 12;

/**
 * `{src}.{sport} > {dst}.{dport}` when the transport header at [off, end)
 * is TCP, UDP or SCTP and long enough to hold its ports, else `{src} > {dst}`.
 */
export function endpoints(d: Dissection, src: string, dst: string, proto: number, off: number, end: number): string {
  const need =
    proto === IPPROTO_TCP ? TCP_HLEN :
    proto === IPPROTO_UDP ? UDP_HLEN :
    proto === IPPROTO_SCTP ? SCTP_PORTS_LEN : 0;
  if (need === 0 || end - off < need) return src + ' > ' + dst;
  return src + '.' + u16(d.buf, off) + ' > ' + dst + '.' + u16(d.buf, off + 2);
}

/**
 * Dissects the transport header at [off, end). `len` is the transport length
 * the IP header announces (the capture may hold less): TCP derives its
 * sequence range from it.
 */
export function dissectTransport(d: Dissection, proto: number, off: number, end: number, len: number): void {
  switch (proto) {
    case IPPROTO_UDP: return dissectUdp(d, off, end);
    case IPPROTO_TCP: return dissectTcp(d, off, end, len);
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: return dissectIcmp(d, off, end);
    case IPPROTO_AH: return dissectAh(d, off, end, len);
    case IPPROTO_ESP: return dissectEsp(d, off, end);
    case IPPROTO_SCTP: return dissectSctp(d, off, end);
    default: return d.unsupported('protocol 0x' + proto.toString(16));
  }
}
