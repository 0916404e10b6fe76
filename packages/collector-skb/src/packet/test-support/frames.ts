/**
 * Builders for test packets: each takes header field values and returns the
 * wire bytes, so tests state packets in the terms a reader checks them with.
 * Lengths and header-length fields are computed unless given explicitly.
 */

export type Bytes = readonly number[] | Uint8Array;

export function concat(...parts: Bytes[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}

export function be16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

export function be24(n: number): number[] {
  return [(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function mac(text: string): number[] {
  return text.split(':').map((h) => parseInt(h, 16));
}

export function ip4(text: string): number[] {
  return text.split('.').map(Number);
}

/** Parses the textual IPv6 forms used in tests (`::` allowed once, no embedded IPv4). */
export function ip6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(zeros).fill('0'), ...right].map((g) => parseInt(g, 16));
  if (groups.length !== 8) throw new Error(`bad IPv6 address in test: ${text}`);
  return groups.flatMap(be16);
}

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_MACSEC = 0x88e5;

export function ethernet(o: { src?: string; dst?: string; type: number }, payload: Bytes = []): Buffer {
  return concat(mac(o.dst ?? '02:00:00:00:00:02'), mac(o.src ?? '02:00:00:00:00:01'), be16(o.type), payload);
}

export function vlanTag(o: { vid: number; pcp?: number; dei?: boolean; type: number }): number[] {
  return [...be16(((o.pcp ?? 0) << 13) | (o.dei ? 0x1000 : 0) | o.vid), ...be16(o.type)];
}

export function arp(o: { op: number; sha: string; spa: string; tha: string; tpa: string }): Buffer {
  return concat(be16(1), be16(ETH_IPV4), [6, 4], be16(o.op), mac(o.sha), ip4(o.spa), mac(o.tha), ip4(o.tpa));
}

export interface Ipv4Fields {
  src: string;
  dst: string;
  proto: number;
  dscp?: number;
  ecn?: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  reserved?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  /** Defaults to header + payload. */
  totalLength?: number;
  /** Raw option bytes, a multiple of 4 long. */
  options?: number[];
}

export function ipv4(o: Ipv4Fields, payload: Bytes = []): Buffer {
  const options = o.options ?? [];
  if (options.length % 4 !== 0 || options.length > 40) throw new Error('IPv4 options must be padded to 4 bytes, 40 at most');
  const hlen = 20 + options.length;
  const frag = (o.reserved ? 0x8000 : 0) | (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8);
  return concat(
    [0x40 | (hlen / 4), ((o.dscp ?? 0) << 2) | (o.ecn ?? 0)],
    be16(o.totalLength ?? hlen + payload.length),
    be16(o.id ?? 1),
    be16(frag),
    [o.ttl ?? 64, o.proto],
    be16(0),
    ip4(o.src),
    ip4(o.dst),
    options,
    payload,
  );
}

export interface Ipv6Fields {
  src: string;
  dst: string;
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Defaults to the payload size. */
  payloadLength?: number;
}

export function ipv6(o: Ipv6Fields, payload: Bytes = []): Buffer {
  const tc = o.trafficClass ?? 0;
  const fl = o.flowLabel ?? 0;
  return concat(
    [0x60 | (tc >>> 4), ((tc & 0x0f) << 4) | (fl >>> 16)],
    be16(fl & 0xffff),
    be16(o.payloadLength ?? payload.length),
    [o.nextHeader, o.hopLimit ?? 64],
    ip6(o.src),
    ip6(o.dst),
    payload,
  );
}

/** A generic IPv6 extension header (hop-by-hop, routing, fragment, ...), `body` padded to 8n+6 bytes. */
export function ipv6Ext(nextHeader: number, body: number[] = [0, 0, 0, 0, 0, 0]): number[] {
  if ((body.length + 2) % 8 !== 0) throw new Error('IPv6 extension must be a multiple of 8 bytes');
  return [nextHeader, (body.length + 2) / 8 - 1, ...body];
}

export interface TcpFields {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** tcpdump letters: F S R P . U E W, plus e for the accurate-ECN bit. */
  flags?: string;
  window?: number;
  /** Raw option bytes, a multiple of 4 long. */
  options?: number[];
  /** Overrides the data offset (in bytes) computed from the options. */
  headerLength?: number;
}

export function tcp(o: TcpFields, payload: Bytes = []): Buffer {
  const options = o.options ?? [];
  if (options.length % 4 !== 0 || options.length > 40) throw new Error('TCP options must be padded to 4 bytes, 40 at most');
  const letters = o.flags ?? '';
  const bit = (c: string, v: number): number => (letters.includes(c) ? v : 0);
  const flags =
    bit('F', 0x01) | bit('S', 0x02) | bit('R', 0x04) | bit('P', 0x08) |
    bit('.', 0x10) | bit('U', 0x20) | bit('E', 0x40) | bit('W', 0x80);
  const hlen = o.headerLength ?? 20 + options.length;
  return concat(
    be16(o.sport),
    be16(o.dport),
    be32(o.seq ?? 0),
    be32(o.ack ?? 0),
    [((hlen / 4) << 4) | bit('e', 0x01), flags],
    be16(o.window ?? 0),
    be16(0),
    be16(0),
    options,
    payload,
  );
}

export function udp(o: { sport: number; dport: number; length?: number }, payload: Bytes = []): Buffer {
  return concat(be16(o.sport), be16(o.dport), be16(o.length ?? 8 + payload.length), be16(0), payload);
}

export function icmp(type: number, code: number, rest: Bytes = [0, 0, 0, 0]): Buffer {
  return concat([type, code], be16(0), rest);
}

export function vxlan(o: { vni: number; validVni?: boolean }, inner: Bytes): Buffer {
  return concat([o.validVni === false ? 0 : 0x08, 0, 0, 0], be24(o.vni), [0], inner);
}

export interface GeneveOption {
  optClass: number;
  type: number;
  /** Option data, a multiple of 4 long. */
  data?: number[];
}

export function geneveOption(o: GeneveOption): number[] {
  const data = o.data ?? [];
  return [...be16(o.optClass), o.type, data.length / 4, ...data];
}

export function geneve(
  o: { vni: number; proto: number; oam?: boolean; critical?: boolean; options?: number[] },
  inner: Bytes,
): Buffer {
  const options = o.options ?? [];
  return concat(
    [options.length / 4, (o.oam ? 0x80 : 0) | (o.critical ? 0x40 : 0)],
    be16(o.proto),
    be24(o.vni),
    [0],
    options,
    inner,
  );
}

export function sctp(o: { sport: number; dport: number; vtag: number }, ...chunks: Bytes[]): Buffer {
  return concat(be16(o.sport), be16(o.dport), be32(o.vtag), be32(0), ...chunks);
}

/** A chunk with its length field set to 4 + value length, padded to 4 bytes on the wire. */
export function sctpChunk(type: number, flags: number, value: number[] = []): number[] {
  const padding = Array<number>((4 - (value.length % 4)) % 4).fill(0);
  return [type, flags, ...be16(4 + value.length), ...value, ...padding];
}

export function esp(o: { spi: number; seq: number }, encrypted: Bytes = [0xde, 0xad, 0xbe, 0xef]): Buffer {
  return concat(be32(o.spi), be32(o.seq), encrypted);
}

export function ah(
  o: { nextHeader: number; spi: number; seq: number; icv: number[]; lengthField?: number },
  payload: Bytes = [],
): Buffer {
  // Payload length: AH length in 4-byte units, minus 2.
  const lengthField = o.lengthField ?? (12 + o.icv.length) / 4 - 2;
  return concat([o.nextHeader, lengthField], be16(0), be32(o.spi), be32(o.seq), o.icv, payload);
}

export interface MacsecFields {
  an: number;
  pn: number;
  /** Letters of the TCI bits: E (encrypted), C (changed), S (end station), B (SCB). I (SC) follows from `sci`. */
  flags?: string;
  shortLength?: number;
  sci?: number[];
}

export function macsecTag(o: MacsecFields): number[] {
  const letters = o.flags ?? '';
  const bit = (c: string, v: number): number => (letters.includes(c) ? v : 0);
  const tci = bit('S', 0x40) | (o.sci ? 0x20 : 0) | bit('B', 0x10) | bit('E', 0x08) | bit('C', 0x04);
  return [tci | o.an, o.shortLength ?? 0, ...be32(o.pn), ...(o.sci ?? [])];
}
