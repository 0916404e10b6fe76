/**
 * The in-memory `ct` event section, shaped as the events file holds it
 * (reference §2.6): the packet's conntrack state, the connection's fields
 * flattened beside it, and the master connection as `parent`.
 */

/** ip_conntrack_info of the skb, as Retis names it. */
export type CtState = 'established' | 'related' | 'new' | 'reply' | 'related_reply' | 'untracked';

/**
 * Direction(s) the connection's zone applies to. Capitalised as Retis
 * writes them (its enum variants are serialised without renaming).
 */
export type CtZoneDir = 'Original' | 'Reply' | 'Default' | 'None';

export interface CtIp {
  src: string;
  dst: string;
  version: 'v4' | 'v6';
}

export interface CtPorts {
  sport: number;
  dport: number;
}

export interface CtIcmp {
  code: number;
  type: number;
  id: number;
}

export interface CtSctp extends CtPorts {
  /** Verification tag expected in this direction. */
  vtag: number;
}

/** Exactly one protocol key, as serde writes an externally tagged enum. */
export type CtProto = { tcp: CtPorts } | { udp: CtPorts } | { icmp: CtIcmp } | { sctp: CtSctp };

export interface CtTuple {
  ip: CtIp;
  proto: CtProto;
}

/** Conntrack labels: a 128-bit mask split in two u64. */
export interface CtLabels {
  hi: bigint;
  lo: bigint;
}

/** One connection: the packet's (flattened in the section) or its master. */
export interface CtConn {
  zone_id: number;
  zone_dir: CtZoneDir;
  orig: CtTuple;
  reply: CtTuple;
  /** TCP or SCTP conntrack state name (`ESTABLISHED`), or its number when unknown. */
  proto_state?: string;
  /** ct->mark; absent on kernels without CONFIG_NF_CONNTRACK_MARK. */
  mark?: number;
  /** Only when non-zero. */
  labels?: CtLabels;
  /** ct->status (IPS_* bits). */
  ct_status: bigint;
}

export interface CtSection extends CtConn {
  state: CtState;
  parent?: CtConn;
}

declare module '@retis/core' {
  interface EventSections {
    ct?: CtSection;
  }
}
