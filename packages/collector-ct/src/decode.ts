/**
 * Raw decoding of ct (owner 9), from bpf/include/ct_uapi.h:
 * - data type 0 `struct ct_meta_event {u8 state}`: the skb's ip_conntrack_info;
 * - data type 1 `struct ct_conn_event`: the skb's connection (BASE_CONN);
 * - data type 2 `struct ct_conn_event`: its master connection (PARENT_CONN).
 * A section without the BASE_CONN and META sections is an error, as in Retis.
 */
import {
  expectSize,
  LITTLE_ENDIAN,
  type RawSection,
  RawSectionError,
  type RetisEvent,
  type SectionFactory,
  type StructLayout,
  unknownDataType,
  viewOf,
} from '@retis/core';
import { ipv4Text, ipv6Text } from './address';
import type { ProtoStateNames } from './proto-states';
import type { CtConn, CtIp, CtProto, CtSection, CtState, CtZoneDir } from './types';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const LE = LITTLE_ENDIAN;
const checkSize = expectSize;
const dataView = viewOf;

export const CT_OWNER = 9;
const DT_META = 0;
const DT_BASE_CONN = 1;
const DT_PARENT_CONN = 2;

export const CT_META_EVENT_LAYOUT = {
  name: 'ct_meta_event',
  size: 1,
  fields: { state: { offset: 0, size: 1 } },
} as const satisfies StructLayout;

export const CT_ENDPOINT_LAYOUT = {
  name: 'ct_endpoint',
  size: 20,
  fields: {
    addr: { offset: 0, size: 16 },
    data: { offset: 16, size: 2 },
    pad: { offset: 18, size: 2 },
  },
} as const satisfies StructLayout;

export const CT_TUPLE_LAYOUT = {
  name: 'ct_tuple',
  size: 40,
  fields: {
    src: { offset: 0, size: CT_ENDPOINT_LAYOUT.size },
    dst: { offset: 20, size: CT_ENDPOINT_LAYOUT.size },
  },
} as const satisfies StructLayout;

export const CT_CONN_EVENT_LAYOUT = {
  name: 'ct_conn_event',
  size: 128,
  fields: {
    orig: { offset: 0, size: CT_TUPLE_LAYOUT.size },
    reply: { offset: 40, size: CT_TUPLE_LAYOUT.size },
    status: { offset: 80, size: 8 },
    flags: { offset: 88, size: 4 },
    mark: { offset: 92, size: 4 },
    labels: { offset: 96, size: 16 },
    sctp_vtag: { offset: 112, size: 8 },
    zone_id: { offset: 120, size: 2 },
    proto_state: { offset: 122, size: 1 },
    pad: { offset: 123, size: 5 },
  },
} as const satisfies StructLayout;

/** ct_conn_event.flags (CT_FLAG_* in ct_uapi.h). */
export const CT_FLAGS = {
  DIR_ORIG: 1 << 0,
  DIR_REPLY: 1 << 1,
  IPV4: 1 << 2,
  IPV6: 1 << 3,
  TCP: 1 << 4,
  UDP: 1 << 5,
  ICMP: 1 << 6,
  SCTP: 1 << 7,
} as const;

/** enum ip_conntrack_info -> state; IP_CT_ESTABLISHED_REPLY and IP_CT_IS_REPLY share 3. */
const STATES: readonly (CtState | undefined)[] = ['established', 'related', 'new', 'reply', 'related_reply', undefined, undefined, 'untracked'];

/** What the decoder needs to know about the running kernel. */
export interface CtDecodeOptions {
  protoStates: ProtoStateNames;
  /** CONFIG_NF_CONNTRACK_MARK=y (or unknown): report `mark`. */
  markAvailable: boolean;
  /** CONFIG_NF_CONNTRACK_LABELS=y (or unknown): report non-zero `labels`. */
  labelsAvailable: boolean;
}

const T = CT_TUPLE_LAYOUT.fields;
const E = CT_ENDPOINT_LAYOUT.fields;
const C = CT_CONN_EVENT_LAYOUT.fields;

export class CtFactory implements SectionFactory {
  constructor(
    private readonly opts: CtDecodeOptions,
    readonly owner: number = CT_OWNER,
  ) {}

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    let meta: RawSection | undefined;
    let base: RawSection | undefined;
    let parent: RawSection | undefined;
    for (const s of sections) {
      if (s.dataType === DT_META) meta = s;
      else if (s.dataType === DT_BASE_CONN) base = s;
      else if (s.dataType === DT_PARENT_CONN) parent = s;
      else unknownDataType(s, 'ct');
    }
    if (meta === undefined) throw new RawSectionError('ct: event has no meta section');
    if (base === undefined) throw new RawSectionError('ct: event has no base connection section');
    checkSize(meta, CT_META_EVENT_LAYOUT, 'ct');
    const raw = buf[meta.offset + CT_META_EVENT_LAYOUT.fields.state.offset];
    const state = STATES[raw];
    if (state === undefined) throw new RawSectionError(`ct: unsupported ct state ${raw}`);

    const v = dataView(buf, view);
    const conn = this.conn(buf, v, base);
    const ct: CtSection = {
      state,
      zone_id: conn.zone_id,
      zone_dir: conn.zone_dir,
      orig: conn.orig,
      reply: conn.reply,
      ct_status: conn.ct_status,
    };
    if (conn.proto_state !== undefined) ct.proto_state = conn.proto_state;
    if (conn.mark !== undefined) ct.mark = conn.mark;
    if (conn.labels !== undefined) ct.labels = conn.labels;
    if (parent !== undefined) ct.parent = this.conn(buf, v, parent);
    event.ct = ct;
  }

  private conn(buf: Buffer, v: DataView, s: RawSection): CtConn {
    checkSize(s, CT_CONN_EVENT_LAYOUT, 'ct');
    const o = s.offset;
    const flags = v.getUint32(o + C.flags.offset, LE);
    const conn: CtConn = {
      zone_id: v.getUint16(o + C.zone_id.offset, LE),
      zone_dir: zoneDir(flags),
      orig: tuple(buf, v, o + C.orig.offset, flags, 0, o),
      reply: tuple(buf, v, o + C.reply.offset, flags, 1, o),
      ct_status: v.getBigUint64(o + C.status.offset, LE),
    };
    const stateRaw = buf[o + C.proto_state.offset];
    if (flags & CT_FLAGS.TCP) conn.proto_state = this.opts.protoStates.tcp.get(stateRaw) ?? String(stateRaw);
    else if (flags & CT_FLAGS.SCTP) conn.proto_state = this.opts.protoStates.sctp.get(stateRaw) ?? String(stateRaw);
    if (this.opts.markAvailable) conn.mark = v.getUint32(o + C.mark.offset, LE);
    if (this.opts.labelsAvailable) {
      // Retis reads the kernel's unsigned long bits[2] as one native-endian u128.
      const first = v.getBigUint64(o + C.labels.offset, LE);
      const second = v.getBigUint64(o + C.labels.offset + 8, LE);
      const [lo, hi] = LE ? [first, second] : [second, first];
      if (lo !== 0n || hi !== 0n) conn.labels = { hi, lo };
    }
    return conn;
  }
}

function zoneDir(flags: number): CtZoneDir {
  const orig = (flags & CT_FLAGS.DIR_ORIG) !== 0;
  const reply = (flags & CT_FLAGS.DIR_REPLY) !== 0;
  if (orig && reply) return 'Default';
  if (orig) return 'Original';
  if (reply) return 'Reply';
  return 'None';
}

/** Reads a ct_tuple at `o`; `dir` (0 orig, 1 reply) picks the SCTP vtag of the connection at `conn`. */
function tuple(buf: Buffer, v: DataView, o: number, flags: number, dir: 0 | 1, conn: number): { ip: CtIp; proto: CtProto } {
  const src = o + T.src.offset;
  const dst = o + T.dst.offset;
  let ip: CtIp;
  if (flags & CT_FLAGS.IPV4) {
    ip = { src: ipv4Text(buf, src + E.addr.offset), dst: ipv4Text(buf, dst + E.addr.offset), version: 'v4' };
  } else if (flags & CT_FLAGS.IPV6) {
    ip = { src: ipv6Text(buf, src + E.addr.offset), dst: ipv6Text(buf, dst + E.addr.offset), version: 'v6' };
  } else {
    throw new RawSectionError('ct: invalid ip tuple information');
  }
  // Ports and the ICMP id are in network order; the ICMP type/code pair in host order.
  const srcData = v.getUint16(src + E.data.offset, false);
  const dstData = v.getUint16(dst + E.data.offset, false);
  let proto: CtProto;
  if (flags & CT_FLAGS.TCP) {
    proto = { tcp: { sport: srcData, dport: dstData } };
  } else if (flags & CT_FLAGS.UDP) {
    proto = { udp: { sport: srcData, dport: dstData } };
  } else if (flags & CT_FLAGS.ICMP) {
    const typeCode = v.getUint16(dst + E.data.offset, LE);
    proto = { icmp: { code: typeCode & 0xff, type: typeCode >>> 8, id: srcData } };
  } else if (flags & CT_FLAGS.SCTP) {
    const vtag = v.getUint32(conn + C.sctp_vtag.offset + 4 * dir, false);
    proto = { sctp: { sport: srcData, dport: dstData, vtag } };
  } else {
    throw new RawSectionError('ct: invalid protocol tuple information');
  }
  return { ip, proto };
}
