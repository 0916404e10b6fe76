/**
 * The in-memory `ovs` and `ovs-detrace` event sections, shaped exactly as
 * the events file holds them (reference §2.4): `ovs` is tagged by
 * `event_type`, and an executed action's fields sit beside `action`.
 */

export interface OvsUpcall {
  event_type: 'upcall';
  /** OVS_PACKET_CMD_*: 0 unspec, 1 miss, 2 action, 3 exec. */
  cmd: number;
  port: number;
  cpu: number;
}

export interface OvsUpcallEnqueue {
  event_type: 'upcall_enqueue';
  /** Non-zero when queueing failed (the packet is then likely dropped). */
  ret: number;
  cmd: number;
  port: number;
  /** Timestamp and CPU of the upcall this enqueue belongs to. */
  upcall_ts: bigint;
  upcall_cpu: number;
  /** Hash of the packet, used to follow it to userspace. */
  queue_id: number;
}

export interface OvsUpcallReturn {
  event_type: 'upcall_return';
  upcall_ts: bigint;
  upcall_cpu: number;
  ret: number;
}

export interface OvsRecvUpcall {
  event_type: 'recv_upcall';
  type: number;
  pkt_size: number;
  key_size: bigint;
  queue_id: number;
  batch_ts: bigint;
  batch_idx: number;
}

export interface OvsFlowOperation {
  event_type: 'flow_operation';
  op_type: 'exec' | 'put';
  queue_id: number;
  batch_ts: bigint;
  batch_idx: number;
}

/** NAT part of a ct action. */
export interface OvsCtNat {
  dir?: 'src' | 'dst';
  min_addr?: string;
  max_addr?: string;
  min_port?: number;
  max_port?: number;
}

/** Actions Retis reports by name only. */
export const OVS_NAMED_ACTIONS = [
  'userspace', 'set', 'push_vlan', 'pop_vlan', 'sample', 'hash', 'push_mpls', 'pop_mpls', 'set_masked', 'trunc',
  'push_eth', 'pop_eth', 'ct_clear', 'push_nsh', 'pop_nsh', 'meter', 'clone', 'check_pkt_len', 'add_mpls', 'dec_ttl',
] as const;
export type OvsNamedAction = (typeof OVS_NAMED_ACTIONS)[number];

/** The executed action and its arguments; none when the datapath gave no action. */
export type OvsActionFields =
  | { action?: undefined }
  | { action: 'output'; port: number }
  | { action: 'recirc'; id: number }
  | { action: 'ct'; flags: number; zone_id: number; nat?: OvsCtNat }
  | { action: 'drop'; reason: number }
  | { action: OvsNamedAction };

export type OvsActionExecute = {
  event_type: 'action_execute';
  recirc_id: number;
  /** Set when the execution comes from an upcall being followed (--ovs-track). */
  queue_id?: number;
} & OvsActionFields;

/** Flow UFID as four u32 words. */
export type Ufid = [number, number, number, number];

export interface OvsFlowLookup {
  event_type: 'flow_lookup';
  /** struct sw_flow pointer; 0 when the lookup found no flow. */
  flow: bigint;
  /** struct sw_flow_actions pointer. */
  sf_acts: bigint;
  ufid: Ufid;
  n_mask_hit: number;
  n_cache_hit: number;
  /** Datapath flow text, when enriched. */
  dpflow: string;
  /** OpenFlow flows the datapath flow comes from, when enriched. */
  ofpflows: string[];
}

export type OvsSection =
  | OvsUpcall
  | OvsUpcallEnqueue
  | OvsUpcallReturn
  | OvsRecvUpcall
  | OvsFlowOperation
  | OvsActionExecute
  | OvsFlowLookup;

/** Flow information fetched from ovs-vswitchd (--ovs-enrich-flows). */
export interface OvsDetraceSection {
  ufid: Ufid;
  flow: bigint;
  sf_acts: bigint;
  dpflow: string;
  ofpflows: string[];
}

declare module '@retis/core' {
  interface EventSections {
    ovs?: OvsSection;
    'ovs-detrace'?: OvsDetraceSection;
  }
}
