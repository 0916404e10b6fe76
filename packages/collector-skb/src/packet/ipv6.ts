/**
 * IPv6: `{src}[.port] > {dst}[.port][ ECN] ttl N label 0x.[ len N][ exts [..]] proto NAME (n)`.
 */
import { ipv6At } from './addr';
import { u16 } from './bytes';
import type { Dissection } from './dissection';
import { ecnText } from './ipv4';
import { protoText } from './names';
import { dissectTransport, endpoints, IPPROTO_NONE } from './transport';

const IPV6_HLEN = 40;

/**
 * Name of an extension header that is skipped to reach the transport header,
 * or undefined for anything else. AH and ESP are not in the list: they are
 * dissected as protocols, as over IPv4.
 */
function extensionName(nh: number): string | undefined {
  switch (nh) {
    case 0: return 'Hopopt';
    case 43: return 'Ipv6Route';
    case 44: return 'Ipv6Frag';
    case 60: return 'Ipv6Opts';
    case 135: return 'MobilityHeader';
    case 139: return 'Hip';
    case 140: return 'Shim6';
    case 253: return 'Test1';
    case 254: return 'Test2';
    default: return undefined;
  }
}

export function dissectIpv6(d: Dissection, off: number, end: number): void {
  if (end - off < IPV6_HLEN) return d.truncated();
  const b = d.buf;
  const trafficClass = ((b[off] & 0x0f) << 4) | (b[off + 1] >>> 4);
  const label = ((b[off + 1] & 0x0f) << 16) | u16(b, off + 2);
  const payloadLen = u16(b, off + 4);
  const hopLimit = b[off + 7];

  // Walk the extension headers first: the ports shown next to the addresses
  // come from the transport header behind them.
  let nh = b[off + 6];
  let p = off + IPV6_HLEN;
  const pEnd = Math.min(p + payloadLen, end);
  let l4Len = payloadLen;
  let exts = '';
  let complete = true;
  for (let name = extensionName(nh); name !== undefined; name = extensionName(nh)) {
    exts += exts === '' ? name : ',' + name;
    // Every skipped extension has the generic layout: next header, then the
    // length in 8-byte units not counting the first 8 bytes.
    const size = pEnd - p >= 2 ? (b[p + 1] + 1) * 8 : 0;
    if (size === 0 || pEnd - p < size) {
      complete = false;
      break;
    }
    nh = b[p];
    p += size;
    l4Len = Math.max(l4Len - size, 0);
  }

  const src = ipv6At(b, off + 8);
  const dst = ipv6At(b, off + 24);
  let s =
    (complete ? endpoints(d, src, dst, nh, p, pEnd) : src + ' > ' + dst) +
    ecnText(trafficClass) + ' ttl ' + hopLimit + ' label 0x' + label.toString(16);
  // The payload length can still be unset at some points of the stack.
  if (payloadLen > 0) s += ' len ' + payloadLen;
  if (exts !== '') s += ' exts [' + exts + ']';
  d.out += s;

  if (!complete) return d.truncated();
  // Nothing follows a "no next header".
  if (nh === IPPROTO_NONE) return;
  d.out += protoText(nh);
  dissectTransport(d, nh, p, pEnd, l4Len);
}
