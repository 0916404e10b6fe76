/**
 * Console text of the `ovs` and `ovs-detrace` sections (reference §4.1),
 * as Retis prints them, e.g. `upcall (miss) port 3319069055 cpu 6`,
 * `upcall_ret (6/30419169098548) ret 0`, `exec oport 4`.
 *
 * Flow lists printed on their own lines are indented 4 columns deeper than
 * the section (the event layout adds the section's own indentation).
 */
import type { DisplayFormat } from '@retis/core';
import type { OvsActionExecute, OvsCtNat, OvsDetraceSection, OvsFlowLookup, OvsSection, Ufid } from './types';

/** OVS ct action flags (OVS_CT_* as Retis's BPF side reports them). */
export const OVS_CT_FLAGS = {
  COMMIT: 1 << 0,
  FORCE: 1 << 1,
  IP4: 1 << 2,
  IP6: 1 << 3,
  NAT: 1 << 4,
  NAT_SRC: 1 << 5,
  NAT_DST: 1 << 6,
  NAT_RANGE_MAP_IPS: 1 << 7,
  NAT_RANGE_PROTO_SPECIFIED: 1 << 8,
  NAT_RANGE_PROTO_RANDOM: 1 << 9,
  NAT_RANGE_PERSISTENT: 1 << 10,
  NAT_RANGE_PROTO_RANDOM_FULLY: 1 << 11,
} as const;

const FLOW_INDENT = '    ';

function upcallCmd(cmd: number): string {
  switch (cmd) {
    case 0:
      return ' (unspec)';
    case 1:
      return ' (miss)';
    case 2:
      return ' (action)';
    case 3:
      return ' (exec)';
    default:
      return '';
  }
}

/** `%08x-%04x-%04x-%04x-%04x%08x` over the four UFID words. */
export function ufidText(u: Ufid): string {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return `${hex(u[0], 8)}-${hex(u[1] >>> 16, 4)}-${hex(u[1] & 0xffff, 4)}-${hex(u[2] >>> 16, 4)}-${hex(u[2] & 0xffff, 4)}${hex(u[3], 8)}`;
}

/** `a` or `a-b` when the range has two different ends. */
function range(min: string | number, max: string | number): string {
  return min === max ? `${min}` : `${min}-${max}`;
}

function natText(flags: number, nat: OvsCtNat): string {
  let out = ' nat';
  if (nat.dir === undefined) return out;
  out += `(${nat.dir}`;
  if (flags & OVS_CT_FLAGS.NAT_RANGE_MAP_IPS && nat.min_addr !== undefined && nat.max_addr !== undefined) {
    out += `=${range(nat.min_addr, nat.max_addr)}`;
  }
  if (flags & OVS_CT_FLAGS.NAT_RANGE_PROTO_SPECIFIED && nat.min_port !== undefined && nat.max_port !== undefined) {
    out += `:${range(nat.min_port, nat.max_port)}`;
  }
  return out + ')';
}

function ctFlagsText(flags: number): string {
  const names: string[] = [];
  if (flags & OVS_CT_FLAGS.COMMIT) names.push('commit');
  if (flags & OVS_CT_FLAGS.FORCE) names.push('force');
  if (flags & OVS_CT_FLAGS.NAT_RANGE_PERSISTENT) names.push('persistent');
  if (flags & OVS_CT_FLAGS.NAT_RANGE_PROTO_RANDOM) names.push('hash');
  if (flags & OVS_CT_FLAGS.NAT_RANGE_PROTO_RANDOM_FULLY) names.push('random');
  return names.length > 0 ? ` ${names.join(',')}` : '';
}

function actionText(e: OvsActionExecute): string {
  let out = e.recirc_id !== 0 ? `[recirc_id 0x${e.recirc_id.toString(16)}] exec` : 'exec';
  switch (e.action) {
    case undefined:
      out += ' unspec';
      break;
    case 'output':
      out += ` oport ${e.port}`;
      break;
    case 'recirc':
      out += ` recirc 0x${e.id.toString(16)}`;
      break;
    case 'drop':
      out += ` drop ${e.reason}`;
      break;
    case 'ct':
      out += ` ct zone ${e.zone_id}`;
      if (e.nat !== undefined) out += natText(e.flags, e.nat);
      out += ctFlagsText(e.flags);
      break;
    case 'set':
      // Retis names the set action after its only use in the datapath.
      out += ' tunnel_set';
      break;
    default:
      out += ` ${e.action}`;
  }
  if (e.queue_id !== undefined) out += ` q ${e.queue_id}`;
  return out;
}

/** `{sep}openflow{sep}` then the flows, one per line (multi-line) or space-separated. */
function openflowText(flows: readonly string[], fmt: DisplayFormat, label: string): string {
  if (flows.length === 0) return '';
  if (fmt.multiLine) return `\n${label}` + flows.map((f) => `\n${FLOW_INDENT}${f}`).join('');
  return ` ${label} ${flows.join(' ')}`;
}

function lookupText(e: OvsFlowLookup, fmt: DisplayFormat): string {
  if (e.flow === 0n) return `flow miss mask ${e.n_mask_hit} cache ${e.n_cache_hit}`;
  const sep = fmt.multiLine ? '\n' : ' ';
  let out = `flow hit ufid ${ufidText(e.ufid)} mask ${e.n_mask_hit} cache ${e.n_cache_hit} ` +
    `flow ${e.flow.toString(16)} sf_acts ${e.sf_acts.toString(16)}`;
  if (e.dpflow.length > 0) out += `${sep}odpflow ${e.dpflow}`;
  return out + openflowText(e.ofpflows, fmt, 'openflow');
}

export function formatOvs(e: OvsSection, fmt: DisplayFormat): string {
  switch (e.event_type) {
    case 'upcall':
      return `upcall${upcallCmd(e.cmd)} port ${e.port} cpu ${e.cpu}`;
    case 'upcall_enqueue':
      return `upcall_enqueue${upcallCmd(e.cmd)} (${e.upcall_cpu}/${e.upcall_ts}) q ${e.queue_id} ret ${e.ret}`;
    case 'upcall_return':
      return `upcall_ret (${e.upcall_cpu}/${e.upcall_ts}) ret ${e.ret}`;
    case 'recv_upcall':
      return `upcall_recv q ${e.queue_id} pkt_size ${e.pkt_size}`;
    case 'flow_operation':
      return `flow_${e.op_type} q ${e.queue_id} ts ${e.batch_ts} (${e.batch_idx})`;
    case 'action_execute':
      return actionText(e);
    case 'flow_lookup':
      return lookupText(e, fmt);
  }
}

export function formatDetrace(d: OvsDetraceSection, fmt: DisplayFormat): string {
  return `ufid:${ufidText(d.ufid)} ${d.dpflow}` + openflowText(d.ofpflows, fmt, 'openflow:');
}
