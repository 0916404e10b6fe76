/**
 * Byte builders for the protocol headers the filter tests need: Ethernet,
 * 802.1Q/802.1ad tags, ARP, IPv4 (with options), IPv6 (with a hop-by-hop
 * extension header), TCP (with options), UDP, ICMP and ICMPv6. Fields are
 * written big-endian, as on the wire; checksums are left at zero since no
 * filter reads them as such.
 */

export const EtherType = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, IPV6: 0x86dd } as const;
export const IpProto = { HOPOPTS: 0, ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PUSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export function mac(text: string): Buffer {
  const bytes = text.split(':').map((h) => parseInt(h, 16));
  if (bytes.length !== 6 || bytes.some((b) => !(b >= 0 && b <= 255))) throw new Error(`bad MAC ${text}`);
  return Buffer.from(bytes);
}

export function ipv4Addr(text: string): Buffer {
  const bytes = text.split('.').map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !(Number.isInteger(b) && b >= 0 && b <= 255))) {
    throw new Error(`bad IPv4 address ${text}`);
  }
  return Buffer.from(bytes);
}

export function ipv6Addr(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...new Array<number>(zeros).fill(0), ...right];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`bad IPv6 address ${text}`);
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
}

export interface VlanTag {
  tpid: number;
  id: number;
  pcp?: number;
}

export function ethernet(dst: Buffer, src: Buffer, etherType: number, payload: Buffer, tags: VlanTag[] = []): Buffer {
  const parts = [dst, src];
  for (const tag of tags) {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(tag.tpid, 0);
    t.writeUInt16BE(((tag.pcp ?? 0) << 13) | (tag.id & 0x0fff), 2);
    parts.push(t);
  }
  const type = Buffer.alloc(2);
  type.writeUInt16BE(etherType);
  return Buffer.concat([...parts, type, payload]);
}

export function arp(op: number, senderMac: Buffer, senderIp: Buffer, targetMac: Buffer, targetIp: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(1, 0); // Ethernet
  h.writeUInt16BE(EtherType.IPV4, 2);
  h[4] = 6;
  h[5] = 4;
  h.writeUInt16BE(op, 6);
  return Buffer.concat([h, senderMac, senderIp, targetMac, targetIp]);
}

export interface Ipv4Options {
  tos?: number;
  id?: number;
  /** Flags (3 bits) and fragment offset (13 bits), as the 16-bit field. */
  fragment?: number;
  ttl?: number;
  /** IP options, padded to a multiple of 4 bytes. */
  options?: Buffer;
}

export function ipv4(src: Buffer, dst: Buffer, proto: number, payload: Buffer, o: Ipv4Options = {}): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  const optLen = Math.ceil(options.length / 4) * 4;
  const h = Buffer.alloc(20 + optLen);
  h[0] = 0x40 | ((20 + optLen) / 4);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE((h.length + payload.length) & 0xffff, 2);
  h.writeUInt16BE(o.id ?? 0, 4);
  h.writeUInt16BE(o.fragment ?? 0, 6);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  src.copy(h, 12);
  dst.copy(h, 16);
  options.copy(h, 20);
  return Buffer.concat([h, payload]);
}

export interface Ipv6Options {
  trafficClass?: number;
  flowLabel?: number;
  hopLimit?: number;
  /** Insert an 8-byte hop-by-hop header in front of the payload. */
  hopByHop?: boolean;
}

export function ipv6(src: Buffer, dst: Buffer, nextHeader: number, payload: Buffer, o: Ipv6Options = {}): Buffer {
  let body = payload;
  let next = nextHeader;
  if (o.hopByHop) {
    const ext = Buffer.alloc(8);
    ext[0] = nextHeader;
    ext[2] = 1; // PadN
    ext[3] = 4;
    body = Buffer.concat([ext, payload]);
    next = IpProto.HOPOPTS;
  }
  const h = Buffer.alloc(40);
  h.writeUInt32BE(((6 << 28) | ((o.trafficClass ?? 0) << 20) | ((o.flowLabel ?? 0) & 0xfffff)) >>> 0, 0);
  h.writeUInt16BE(body.length & 0xffff, 4);
  h[6] = next;
  h[7] = o.hopLimit ?? 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, body]);
}

export interface TcpOptions {
  seq?: number;
  ack?: number;
  window?: number;
  urgent?: number;
  /** TCP options, padded to a multiple of 4 bytes. */
  options?: Buffer;
}

export function tcp(sport: number, dport: number, flags: number, payload: Buffer, o: TcpOptions = {}): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  const optLen = Math.ceil(options.length / 4) * 4;
  const h = Buffer.alloc(20 + optLen);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE((o.seq ?? 0) >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = ((20 + optLen) / 4) << 4;
  h[13] = flags;
  h.writeUInt16BE(o.window ?? 65535, 14);
  h.writeUInt16BE(o.urgent ?? 0, 18);
  options.copy(h, 20);
  return Buffer.concat([h, payload]);
}

export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE((8 + payload.length) & 0xffff, 4);
  return Buffer.concat([h, payload]);
}

/** ICMP and ICMPv6 share this header: type, code, checksum, 4 bytes of rest. */
export function icmp(type: number, code: number, payload: Buffer, rest = 0): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  h[1] = code;
  h.writeUInt32BE(rest >>> 0, 4);
  return Buffer.concat([h, payload]);
}
