/**
 * JSON Schema definitions of the event sections of the events file, in the
 * Retis 1.7 shapes (reference §3.2 and the collectors' sections), named as
 * the reference names them in its schema (`CommonEvent`, `SkbEvent`, ...).
 *
 * This describes the file format, which is fixed by compatibility, so it
 * is written here once rather than derived from each collector's decoder.
 */
import {
  bool, constant, int, type JsonSchema, object, opt, optional, ref, str, strArray, stringEnum, uint,
} from './schema-builders';

/** Top-level keys: [definition name, description]. */
export const SECTION_DEFS: Readonly<Record<string, readonly [string, string]>> = {
  common: ['CommonEvent', 'Common section.'],
  kernel: ['KernelEvent', 'Kernel section.'],
  userspace: ['UserEvent', 'Userspace section.'],
  tracking: ['TrackingInfo', 'Tracking section.'],
  'skb-tracking': ['SkbTrackingEvent', 'Skb tracking section.'],
  'skb-drop': ['SkbDropEvent', 'Skb drop section.'],
  packet: ['PacketEvent', 'Packet section.'],
  skb: ['SkbEvent', 'Skb section.'],
  netns: ['NetnsEvent', 'Net namespace section.'],
  dev: ['DevEvent', 'Net device section.'],
  ovs: ['OvsEvent', 'OVS section.'],
  'ovs-detrace': ['OvsFlowInfoEvent', 'OVS-detrace section.'],
  nft: ['NftEvent', 'Nft section.'],
  ct: ['CtEvent', 'Ct section.'],
  startup: ['StartupEvent', 'Startup event.'],
};

const ports = (description: string): JsonSchema =>
  object(description, { sport: uint(16, 'Source port.'), dport: uint(16, 'Destination port.') });

/** Fields of a conntrack connection, shared by the section and its parent. */
const ctConnFields = {
  zone_id: uint(16, 'Zone ID.'),
  zone_dir: ref('ZoneDir', 'Zone direction.'),
  orig: ref('CtTuple', 'Original tuple.'),
  reply: ref('CtTuple', 'Reply tuple.'),
  proto_state: opt(str('Protocol state (TCP or SCTP), by name, or its number when unknown.')),
  mark: opt(uint(32, 'Mark.')),
  labels: opt(ref('U128', 'Labels.')),
  ct_status: uint(64, 'Status. From ct->status.'),
};

/**
 * Actions reported by name only (the ovs collector's list, repeated here:
 * core does not depend on collectors; the schema tests check the two agree).
 */
const OVS_NAMED_ACTIONS = [
  'userspace', 'set', 'push_vlan', 'pop_vlan', 'sample', 'hash', 'push_mpls', 'pop_mpls', 'set_masked', 'trunc',
  'push_eth', 'pop_eth', 'ct_clear', 'push_nsh', 'pop_nsh', 'meter', 'clone', 'check_pkt_len', 'add_mpls', 'dec_ttl',
];

function ovsActions(): JsonSchema[] {
  const variants: JsonSchema[] = [
    object('Output action.', { action: constant('output'), port: uint(32, 'Port.') }),
    object('Recirc action.', { action: constant('recirc'), id: uint(32, 'Recirculation ID.') }),
    object('Conntrack action.', {
      action: constant('ct'),
      flags: uint(32, 'Flags.'),
      zone_id: uint(16, 'Zone ID.'),
      nat: opt(ref('OvsActionCtNat', 'NAT')),
    }),
    object('Drop action.', { action: constant('drop'), reason: uint(32, 'Reason.') }),
  ];
  for (const name of OVS_NAMED_ACTIONS) variants.push(object(undefined, { action: constant(name) }));
  return variants;
}

function ovsEvent(): JsonSchema {
  const actionExecute = object('Action execution. It indicates the datapath has executed an action on a packet.', {
    event_type: constant('action_execute'),
    recirc_id: uint(32, 'Recirculation ID.'),
    queue_id: opt(uint(32, 'Tracking ID. None if not tracking or if the output event did not come from an upcall.')),
  });
  // No action reported (OVS_ACTION_ATTR_UNSPEC) is the variant without `action`.
  actionExecute.oneOf = [...ovsActions(), { type: 'object', not: { required: ['action'] } }];
  return {
    description: 'OpenvSwitch section.',
    oneOf: [
      object('Upcall. It indicates the beginning of an upcall. An upcall can have multiple enqueue events.', {
        event_type: constant('upcall'),
        cmd: uint(8, 'Command (OVS_PACKET_CMD_*): 0 unspec, 1 miss, 2 action, 3 execute.'),
        port: uint(32, 'Port.'),
        cpu: uint(32, 'CPU ID.'),
      }),
      object('Upcall enqueue. It indicates a packet (fragment) is enqueued for userspace processing.', {
        event_type: constant('upcall_enqueue'),
        ret: int(32, 'Return code. Any value different from zero indicates the upcall enqueue failed, probably a packet drop.'),
        cmd: uint(8, 'Command executed.'),
        port: uint(32, 'Port id.'),
        upcall_ts: uint(64, 'Upcall timestamp.'),
        upcall_cpu: uint(32, 'Upcall CPU ID.'),
        queue_id: uint(32, 'Tracking ID.'),
      }),
      object('Upcall return. It indicates an upcall has ended.', {
        event_type: constant('upcall_return'),
        upcall_ts: uint(64, 'Upcall timestamp.'),
        upcall_cpu: uint(32, 'Upcall CPU ID.'),
        ret: int(32, 'Return value.'),
      }),
      object('Receive upcall. It indicates userspace has received an upcall.', {
        event_type: constant('recv_upcall'),
        type: uint(32, 'Type.'),
        pkt_size: uint(32, 'Packet size.'),
        key_size: uint(64, 'Key size.'),
        queue_id: uint(32, 'Tracking ID.'),
        batch_ts: uint(64, 'Batch timestamp. When the batch started.'),
        batch_idx: uint(8, 'Batch index. Position within the upcall batch.'),
      }),
      object('Flow operation. It indicates userspace has executed a flow operation on an upcalled packet.', {
        event_type: constant('flow_operation'),
        op_type: stringEnum(['exec', 'put'], 'Type.'),
        queue_id: uint(32, 'Tracking ID.'),
        batch_ts: uint(64, 'Batch timestamp. When the batch started.'),
        batch_idx: uint(8, 'Batch index. Position within the upcall batch.'),
      }),
      actionExecute,
      object('Flow lookup. It indicates the datapath has looked up a flow for a packet.', {
        event_type: constant('flow_lookup'),
        flow: uint(64, 'Flow pointer.'),
        sf_acts: uint(64, 'Actions pointer.'),
        ufid: ref('Ufid', 'Unique flow ID.'),
        n_mask_hit: uint(32, 'Number of masks looked up.'),
        n_cache_hit: uint(32, 'Number of cache hits.'),
        dpflow: str('Datapath flow, when enriched.'),
        ofpflows: strArray('OpenFlow flows, when enriched.'),
      }),
    ],
  };
}

/** The `$defs` of the event schema. */
export function sectionDefinitions(): Record<string, JsonSchema> {
  const u32 = uint(32);
  return {
    CommonEvent: object('Common section.', {
      timestamp: uint(64, 'Timestamp (CLOCK_MONOTONIC, ns).'),
      smp_id: opt(uint(32, 'SMP processor ID.')),
      task: opt(ref('TaskEvent', 'Linux task.')),
    }),
    TaskEvent: object('Task information.', {
      pid: int(32, 'Process ID.'),
      tgid: int(32, 'Thread ID.'),
      comm: str('Task name.'),
    }),
    KernelEvent: object('Kernel section.', {
      symbol: str('Symbol name. I.e: which probe generated the event.'),
      probe_type: str('Probe type. One of "kprobe", "kretprobe" or "raw_tracepoint".'),
      stack_trace: opt(ref('StackTrace', 'Stack trace.')),
    }),
    StackTrace: { type: 'array', items: { type: 'string' } },
    UserEvent: object('Userspace section', {
      probe_type: str('Probe type. For now only "usdt" is supported.'),
      symbol: str('Symbol name. I.e. which probe generated the event.'),
      ip: uint(64, 'Instruction pointer. Address of the symbol associated with the event.'),
      path: str('Binary path.'),
      pid: int(32, 'Process ID.'),
      tid: int(32, 'Thread ID.'),
    }),
    TrackingInfo: object('Tracking event section. Generated at postprocessing with combined skb and ovs tracking information.', {
      skb: ref('SkbTrackingEvent', 'Tracking information of the original packet.'),
      idx: uint(32, 'The index in the event series.'),
    }),
    SkbTrackingEvent: object(
      'Tracking section. The tracking unique id is `(timestamp, orig_head)` and `skb` can be used to distinguish between clones.',
      {
        orig_head: uint(64, 'Head of buffer. Value of (`skb->head`) when the packet was first seen by the tracking logic.'),
        timestamp: uint(64, 'First timestamp. Timestamp of when the tracking logic first saw the packet.'),
        skb: uint(64, 'Socket buffer. (`skb`) address of the current packet.'),
      },
    ),
    SkbDropEvent: object('Skb drop section.', {
      subsys: opt(str('Sub-system. None for core reasons.')),
      drop_reason: str('Reason. See `enum skb_drop_reason` in the kernel.'),
    }),
    PacketEvent: object('Packet section. Contains the raw packet and related metadata.', {
      len: uint(32, 'Packet length.'),
      capture_len: uint(32, 'Capture length. <= len.'),
      data: ref('RawPacket', 'Raw packet data.'),
    }),
    RawPacket: { description: 'The captured bytes, an Ethernet frame, in base64.', type: 'string', contentEncoding: 'base64' },
    SkbEvent: object('Skb section.', {
      vlan_accel: opt(ref('SkbVlanAccelEvent', 'VLAN acceleration.')),
      meta: opt(ref('SkbMetaEvent', 'Metadata.')),
      data_ref: opt(ref('SkbDataRefEvent', 'Data and refcnt information.')),
      gso: opt(ref('SkbGsoEvent', 'GSO.')),
    }),
    SkbVlanAccelEvent: object('VLAN acceleration.', {
      proto: uint(16, 'Tag protocol identifier.'),
      pcp: uint(8, 'Priority Code Point. Also called CoS.'),
      dei: bool('Drop Eligible Indicator (DEI).'),
      vid: uint(16, 'VLAN ID.'),
    }),
    SkbMetaEvent: object('Skb metadata & related fields.', {
      len: uint(32, 'Total packet length.'),
      data_len: uint(32, 'Total length in the page buffer area.'),
      hash: uint(32, 'Packet hash.'),
      ip_summed: uint(8, 'Checksum status.'),
      csum: uint(32, 'Packet checksum (CHECKSUM_COMPLETE) or (start << 16)|offset (CHECKSUM_PARTIAL).'),
      csum_level: uint(8, 'Checksum level.'),
      priority: uint(32, 'QoS priority.'),
    }),
    SkbDataRefEvent: object('Skb data & refcnt.', {
      nohdr: bool('Payload reference only.'),
      cloned: bool('Is skb a clone?'),
      fclone: uint(8, 'Skb fast clone.'),
      users: uint(8, 'Users count.'),
      dataref: uint(8, 'Data refcount.'),
    }),
    SkbGsoEvent: object('GSO information.', {
      flags: uint(8, 'GSO flags. See `SKBFL_*` in include/linux/skbuff.h'),
      frags: uint(8, 'Number of fragments.'),
      size: uint(32, 'GSO size.'),
      segs: uint(32, 'Number of GSO segments.'),
      type: uint(32, 'GSO type. See `SKB_GSO_*` in include/linux/skbuff.h'),
    }),
    NetnsEvent: object('Network namespace section.', {
      cookie: opt(uint(64, 'Unique identifier of the netns, from bpf_get_netns_cookie (not on older kernels).')),
      inum: uint(32, 'Netns inum.'),
    }),
    DevEvent: object('Device section.', {
      name: str('Device name. From `dev->name`.'),
      ifindex: uint(32, 'Ifindex. From `dev->ifindex`.'),
      rx_ifindex: opt(uint(32, 'Rx device ifindex. From `skb->skb_iif`.')),
    }),
    OvsEvent: ovsEvent(),
    OvsActionCtNat: {
      description: 'NAT action.',
      type: 'object',
      properties: {
        dir: optional(ref('NatDirection', 'NAT direction.')),
        max_addr: optional(str('Maximum address.')),
        max_port: optional(uint(16, 'Maximum port.')),
        min_addr: optional(str('Minimum address.')),
        min_port: optional(uint(16, 'Minimum port.')),
      },
    },
    NatDirection: stringEnum(['src', 'dst']),
    Ufid: { type: 'array', maxItems: 4, minItems: 4, prefixItems: [u32, u32, u32, u32] },
    OvsFlowInfoEvent: object('Flow event.', {
      ufid: ref('Ufid', 'Unique flow ID.'),
      flow: uint(64, 'Flow pointer.'),
      sf_acts: uint(64, 'Actions pointer.'),
      dpflow: str('Datapath flow.'),
      ofpflows: strArray('OpenFlow flows.'),
    }),
    NftEvent: object('Nftables section.', {
      table_name: str('Table name.'),
      chain_name: str('Chain name.'),
      verdict: str('Verdict.'),
      verdict_chain_name: opt(str('Verdict chain name.')),
      table_handle: int(64, 'Table handle.'),
      chain_handle: int(64, 'Chain handle.'),
      rule_handle: opt(int(64, 'Rule handle.')),
      policy: bool('Policy.'),
    }),
    CtEvent: object('Conntrack event', {
      state: ref('CtState', 'Conntrack state'),
      ...ctConnFields,
      parent: opt(ref('CtConnEvent', 'Parent connection.')),
    }),
    CtConnEvent: object('Conntrack connection', ctConnFields),
    CtState: stringEnum(['established', 'related', 'new', 'reply', 'related_reply', 'untracked'], 'Conntrack state.'),
    ZoneDir: stringEnum(['Original', 'Reply', 'Default', 'None']),
    CtTuple: object('Conntrack tuple.', { ip: ref('CtIp', 'IP address.'), proto: ref('CtProto', 'Protocol.') }),
    CtIp: object(undefined, { src: str('Source.'), dst: str('Destination.'), version: ref('CtIpVersion', 'Version.') }),
    CtIpVersion: stringEnum(['v4', 'v6']),
    CtProto: {
      oneOf: [
        object(undefined, { tcp: ports('TCP') }),
        object(undefined, { udp: ports('UDP') }),
        object(undefined, {
          icmp: object('ICMP', { code: uint(8, 'Code'), type: uint(8, 'Type'), id: uint(16, 'ID') }),
        }),
        object(undefined, {
          sctp: object('SCTP', { sport: uint(16, 'Source port.'), dport: uint(16, 'Destination port.'), vtag: uint(32, 'Verification tag.') }),
        }),
      ].map((variant) => ({ ...variant, additionalProperties: false })),
    },
    U128: object('A 128-bit value as two u64.', { hi: uint(64), lo: uint(64) }),
    StartupEvent: object(
      'Startup event section. Contains global information about a collection as a whole, with data gathered at collection startup time.',
      {
        retis_version: str('Retis version used while collecting events.'),
        cmdline: str('Command line used to collect the events.'),
        clock_monotonic_offset: ref('TimeSpec', 'CLOCK_MONOTONIC offset in regards to local machine time.'),
        machine: ref('MachineInfo', 'Machine information retrieved while collecting events.'),
        split_file: opt(ref('SplitFile', 'Place of this file among the files of a rotated collection.')),
      },
    ),
    TimeSpec: object('Timespec. Representation of `struct timespec` to hold time values.', { sec: int(64), nsec: int(64) }),
    MachineInfo: object('Machine information.', {
      kernel_release: str('Kernel release.'),
      kernel_version: str('Kernel version.'),
      hardware_name: str('Hardware name.'),
    }),
    SplitFile: object('Split file information.', {
      id: uint(32, 'Index of this file.'),
      policy: object('Rotation policy.', { kind: constant('size'), limit: uint(64, 'Size limit, in bytes.') }),
    }),
  };
}
