/**
 * The event keys of the skb collector:
 * - `packet` `{len, capture_len, data}`: the captured bytes (an Ethernet
 *   frame, maybe with a fake zero-MAC header) as standard base64, exactly
 *   as in the file; formatPacket() dissects them for the console.
 * - `skb` `{vlan_accel?, meta?, data_ref?, gso?}`: skb metadata, printed as
 *   `[vlan_accel (...)] [skb [csum ... users U dataref D]] [gso [...]]`.
 */
import {
  flatString,
  bool,
  type DisplayFormat,
  obj,
  type SectionDefinition,
  str,
  uint,
} from '@retis/core';
import { formatPacket } from './packet';

export interface PacketSection {
  /** Length of the packet on the wire (from the mac header). */
  len: number;
  /** Bytes captured, <= len. */
  capture_len: number;
  /** The captured bytes, standard base64 with padding. */
  data: string;
}

export interface SkbVlanAccel {
  /** Tag protocol identifier (0x8100, 0x88a8). */
  proto: number;
  pcp: number;
  dei: boolean;
  vid: number;
}

export interface SkbMeta {
  len: number;
  data_len: number;
  hash: number;
  ip_summed: number;
  csum: number;
  csum_level: number;
  priority: number;
}

export interface SkbDataRef {
  nohdr: boolean;
  cloned: boolean;
  fclone: number;
  users: number;
  dataref: number;
}

export interface SkbGso {
  flags: number;
  frags: number;
  size: number;
  segs: number;
  type: number;
}

export interface SkbSection {
  vlan_accel?: SkbVlanAccel;
  meta?: SkbMeta;
  data_ref?: SkbDataRef;
  gso?: SkbGso;
}

declare module '@retis/core' {
  interface EventSections {
    packet?: PacketSection;
    skb?: SkbSection;
  }
}

/** The captured bytes of a packet section. */
export function packetBytes(p: PacketSection): Buffer {
  return Buffer.from(p.data, 'base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// `{"len":L,"capture_len":C,"data":"` of the packet sizes seen, in one flat
// piece: a flood of same-sized packets writes it once.
const PACKET_HEADS = new Map<number, string>();

function packetHead(len: number, captureLen: number): string {
  if (captureLen > 255 || len > 0xffffffff) return `{"len":${len},"capture_len":${captureLen},"data":"`;
  const key = len * 256 + captureLen;
  let head = PACKET_HEADS.get(key);
  if (head === undefined) {
    if (PACKET_HEADS.size >= 4096) PACKET_HEADS.clear();
    head = flatString(`{"len":${len},"capture_len":${captureLen},"data":"`);
    PACKET_HEADS.set(key, head);
  }
  return head;
}

export const packetSection: SectionDefinition<PacketSection> = {
  key: 'packet',
  fromJson(value) {
    const o = obj(value, 'packet');
    const data = str(o.data, 'packet.data');
    if (data.length % 4 !== 0 || !BASE64.test(data)) throw new Error('packet.data: expected standard base64');
    return { len: uint(o.len, 'packet.len'), capture_len: uint(o.capture_len, 'packet.capture_len'), data };
  },
  toJson(p) {
    // base64 never needs escaping.
    return packetHead(p.len, p.capture_len) + p.data + '"}';
  },
  format(p, fmt) {
    return formatPacket(packetBytes(p), fmt);
  },
};

function u8(v: unknown, path: string): number {
  return uint(v, path, 8);
}

function vlanFromJson(v: unknown): SkbVlanAccel {
  const o = obj(v, 'skb.vlan_accel');
  return {
    proto: uint(o.proto, 'skb.vlan_accel.proto', 16),
    pcp: u8(o.pcp, 'skb.vlan_accel.pcp'),
    dei: bool(o.dei, 'skb.vlan_accel.dei'),
    vid: uint(o.vid, 'skb.vlan_accel.vid', 16),
  };
}

function metaFromJson(v: unknown): SkbMeta {
  const o = obj(v, 'skb.meta');
  return {
    len: uint(o.len, 'skb.meta.len'),
    data_len: uint(o.data_len, 'skb.meta.data_len'),
    hash: uint(o.hash, 'skb.meta.hash'),
    ip_summed: u8(o.ip_summed, 'skb.meta.ip_summed'),
    csum: uint(o.csum, 'skb.meta.csum'),
    csum_level: u8(o.csum_level, 'skb.meta.csum_level'),
    priority: uint(o.priority, 'skb.meta.priority'),
  };
}

function dataRefFromJson(v: unknown): SkbDataRef {
  const o = obj(v, 'skb.data_ref');
  return {
    nohdr: bool(o.nohdr, 'skb.data_ref.nohdr'),
    cloned: bool(o.cloned, 'skb.data_ref.cloned'),
    fclone: u8(o.fclone, 'skb.data_ref.fclone'),
    users: u8(o.users, 'skb.data_ref.users'),
    dataref: u8(o.dataref, 'skb.data_ref.dataref'),
  };
}

function gsoFromJson(v: unknown): SkbGso {
  const o = obj(v, 'skb.gso');
  return {
    flags: u8(o.flags, 'skb.gso.flags'),
    frags: u8(o.frags, 'skb.gso.frags'),
    size: uint(o.size, 'skb.gso.size'),
    segs: uint(o.segs, 'skb.gso.segs'),
    type: uint(o.type, 'skb.gso.type'),
  };
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Ethertype names, as the reference prints them (subset of the packet dissector's table). */
const ETHERTYPES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'],
  [0x0806, 'ARP'],
  [0x6558, 'TEB'],
  [0x8035, 'Reverse ARP'],
  [0x809b, 'Appletalk'],
  [0x80f3, 'Appletalk ARP'],
  [0x8100, '802.1Q'],
  [0x86dd, 'IPv6'],
  [0x880b, 'PPP'],
  [0x8847, 'MPLS unicast'],
  [0x8848, 'MPLS multicast'],
  [0x8863, 'PPPoE D'],
  [0x8864, 'PPPoE S'],
  [0x888e, 'EAPOL'],
  [0x88a8, '802.1Q-QinQ'],
  [0x88e5, '802.1AE MACsec'],
  [0x88f7, 'PTP'],
  [0x9100, '802.1Q-9100'],
]);

function hex(n: number): string {
  return '0x' + n.toString(16);
}

function formatVlan(v: SkbVlanAccel): string {
  const name = ETHERTYPES.get(v.proto);
  const etype = `ethertype ${name !== undefined ? name + ' ' : ''}(0x${v.proto.toString(16).padStart(4, '0')})`;
  return `vlan_accel (${etype} vlan ${v.vid} p ${v.pcp}${v.dei ? ' DEI' : ''})`;
}

function formatMeta(m: SkbMeta): string {
  let out = 'csum ';
  switch (m.ip_summed) {
    case 0:
      out += 'none ';
      break;
    case 1:
      out += `unnecessary (level ${m.csum_level}) `;
      break;
    case 2:
      out += `complete (${hex(m.csum)}) `;
      break;
    case 3:
      out += `partial (start ${m.csum & 0xffff} off ${m.csum >>> 16}) `;
      break;
    default:
      out += `unknown (${m.ip_summed}) `;
  }
  if (m.hash !== 0) out += `hash ${hex(m.hash)} `;
  out += `len ${m.len} `;
  if (m.data_len !== 0) out += `data_len ${m.data_len} `;
  return out + `priority ${m.priority}`;
}

function formatDataRef(d: SkbDataRef): string {
  let out = '';
  if (d.nohdr) out += 'nohdr ';
  if (d.cloned) out += 'cloned ';
  if (d.fclone > 0) out += `fclone ${d.fclone} `;
  return out + `users ${d.users} dataref ${d.dataref}`;
}

function formatGso(g: SkbGso): string {
  let out = `gso [type ${hex(g.type)} `;
  if (g.flags !== 0) out += `flags ${hex(g.flags)} `;
  if (g.frags !== 0) out += `frags ${g.frags} `;
  if (g.segs !== 0) out += `segs ${g.segs} `;
  return out + `size ${g.size}]`;
}

/** skb text; '' when nothing is printable (vlan_accel alone needs -e). */
export function formatSkb(s: SkbSection, fmt: DisplayFormat): string {
  const parts: string[] = [];
  if (fmt.linkLayer && s.vlan_accel !== undefined) parts.push(formatVlan(s.vlan_accel));
  if (s.meta !== undefined || s.data_ref !== undefined) {
    const inner = [s.meta !== undefined ? formatMeta(s.meta) : '', s.data_ref !== undefined ? formatDataRef(s.data_ref) : '']
      .filter((p) => p.length > 0)
      .join(' ');
    parts.push(`skb [${inner}]`);
  }
  if (s.gso !== undefined) parts.push(formatGso(s.gso));
  return parts.join(' ');
}

export const skbSection: SectionDefinition<SkbSection> = {
  key: 'skb',
  fromJson(value) {
    // Fields of older shapes (addresses, ports, ...) are ignored, as the reference does.
    const o = obj(value, 'skb');
    const skb: SkbSection = {};
    if (present(o.vlan_accel)) skb.vlan_accel = vlanFromJson(o.vlan_accel);
    if (present(o.meta)) skb.meta = metaFromJson(o.meta);
    if (present(o.data_ref)) skb.data_ref = dataRefFromJson(o.data_ref);
    if (present(o.gso)) skb.gso = gsoFromJson(o.gso);
    return skb;
  },
  toJson(s) {
    let out = '{';
    const v = s.vlan_accel;
    if (v !== undefined) out += `"vlan_accel":{"proto":${v.proto},"pcp":${v.pcp},"dei":${v.dei},"vid":${v.vid}}`;
    const m = s.meta;
    if (m !== undefined) {
      out +=
        (out.length > 1 ? ',' : '') +
        `"meta":{"len":${m.len},"data_len":${m.data_len},"hash":${m.hash},"ip_summed":${m.ip_summed},` +
        `"csum":${m.csum},"csum_level":${m.csum_level},"priority":${m.priority}}`;
    }
    const d = s.data_ref;
    if (d !== undefined) {
      out +=
        (out.length > 1 ? ',' : '') +
        `"data_ref":{"nohdr":${d.nohdr},"cloned":${d.cloned},"fclone":${d.fclone},"users":${d.users},"dataref":${d.dataref}}`;
    }
    const g = s.gso;
    if (g !== undefined) {
      out +=
        (out.length > 1 ? ',' : '') + `"gso":{"flags":${g.flags},"frags":${g.frags},"size":${g.size},"segs":${g.segs},"type":${g.type}}`;
    }
    return out + '}';
  },
  format: formatSkb,
};

export const SKB_SECTIONS: readonly SectionDefinition[] = [packetSection, skbSection];
