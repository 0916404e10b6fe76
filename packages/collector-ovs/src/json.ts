/**
 * `ovs` and `ovs-detrace` sections <-> JSON, field for field as Retis
 * writes them: `event_type` first, then the variant's fields in Retis's
 * struct order; an executed action's fields follow `"action"`; absent
 * options are omitted.
 */
import {
  int, jsonString, obj, optStr, optUint, SectionValueError, str, strArray, u64, uint,
} from '@retis/core';
import {
  OVS_NAMED_ACTIONS, type OvsActionExecute, type OvsActionFields, type OvsCtNat, type OvsDetraceSection,
  type OvsFlowLookup, type OvsSection, type Ufid,
} from './types';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const quote = jsonString;

const NAMED_ACTIONS: ReadonlySet<string> = new Set(OVS_NAMED_ACTIONS);

function ufidFromJson(v: unknown, path: string): Ufid {
  if (!Array.isArray(v) || v.length !== 4) throw new SectionValueError(`${path}: expected an array of 4 u32`);
  return [uint(v[0], `${path}[0]`), uint(v[1], `${path}[1]`), uint(v[2], `${path}[2]`), uint(v[3], `${path}[3]`)];
}

function natFromJson(v: unknown, path: string): OvsCtNat {
  const o = obj(v, path);
  const nat: OvsCtNat = {};
  const dir = optStr(o.dir, `${path}.dir`);
  if (dir !== undefined) {
    if (dir !== 'src' && dir !== 'dst') throw new SectionValueError(`${path}.dir: unknown variant "${dir}"`);
    nat.dir = dir;
  }
  const minAddr = optStr(o.min_addr, `${path}.min_addr`);
  if (minAddr !== undefined) nat.min_addr = minAddr;
  const maxAddr = optStr(o.max_addr, `${path}.max_addr`);
  if (maxAddr !== undefined) nat.max_addr = maxAddr;
  const minPort = optUint(o.min_port, `${path}.min_port`, 16);
  if (minPort !== undefined) nat.min_port = minPort;
  const maxPort = optUint(o.max_port, `${path}.max_port`, 16);
  if (maxPort !== undefined) nat.max_port = maxPort;
  return nat;
}

function actionFromJson(o: Record<string, unknown>): OvsActionFields {
  const action = optStr(o.action, 'ovs.action');
  switch (action) {
    case undefined:
      return {};
    case 'output':
      return { action, port: uint(o.port, 'ovs.port') };
    case 'recirc':
      return { action, id: uint(o.id, 'ovs.id') };
    case 'drop':
      return { action, reason: uint(o.reason, 'ovs.reason') };
    case 'ct': {
      const ct: OvsActionFields = { action, flags: uint(o.flags, 'ovs.flags'), zone_id: uint(o.zone_id, 'ovs.zone_id', 16) };
      if (o.nat !== undefined && o.nat !== null) ct.nat = natFromJson(o.nat, 'ovs.nat');
      return ct;
    }
    default:
      if (!NAMED_ACTIONS.has(action)) throw new SectionValueError(`ovs.action: unknown action "${action}"`);
      return { action: action as (typeof OVS_NAMED_ACTIONS)[number] };
  }
}

function lookupFields(o: Record<string, unknown>, path: string): Omit<OvsFlowLookup, 'event_type'> {
  return {
    flow: u64(o.flow, `${path}.flow`),
    sf_acts: u64(o.sf_acts, `${path}.sf_acts`),
    ufid: ufidFromJson(o.ufid, `${path}.ufid`),
    n_mask_hit: uint(o.n_mask_hit, `${path}.n_mask_hit`),
    n_cache_hit: uint(o.n_cache_hit, `${path}.n_cache_hit`),
    dpflow: str(o.dpflow, `${path}.dpflow`),
    ofpflows: [...strArray(o.ofpflows, `${path}.ofpflows`)],
  };
}

export function ovsFromJson(value: unknown): OvsSection {
  const o = obj(value, 'ovs');
  const type = str(o.event_type, 'ovs.event_type');
  switch (type) {
    case 'upcall':
      return { event_type: type, cmd: uint(o.cmd, 'ovs.cmd', 8), port: uint(o.port, 'ovs.port'), cpu: uint(o.cpu, 'ovs.cpu') };
    case 'upcall_enqueue':
      return {
        event_type: type,
        ret: int(o.ret, 'ovs.ret'),
        cmd: uint(o.cmd, 'ovs.cmd', 8),
        port: uint(o.port, 'ovs.port'),
        upcall_ts: u64(o.upcall_ts, 'ovs.upcall_ts'),
        upcall_cpu: uint(o.upcall_cpu, 'ovs.upcall_cpu'),
        queue_id: uint(o.queue_id, 'ovs.queue_id'),
      };
    case 'upcall_return':
      return {
        event_type: type,
        upcall_ts: u64(o.upcall_ts, 'ovs.upcall_ts'),
        upcall_cpu: uint(o.upcall_cpu, 'ovs.upcall_cpu'),
        ret: int(o.ret, 'ovs.ret'),
      };
    case 'recv_upcall':
      return {
        event_type: type,
        type: uint(o.type, 'ovs.type'),
        pkt_size: uint(o.pkt_size, 'ovs.pkt_size'),
        key_size: u64(o.key_size, 'ovs.key_size'),
        queue_id: uint(o.queue_id, 'ovs.queue_id'),
        batch_ts: u64(o.batch_ts, 'ovs.batch_ts'),
        batch_idx: uint(o.batch_idx, 'ovs.batch_idx', 8),
      };
    case 'flow_operation': {
      const op = str(o.op_type, 'ovs.op_type');
      if (op !== 'exec' && op !== 'put') throw new SectionValueError(`ovs.op_type: Unknown operation string ${op}`);
      return {
        event_type: type,
        op_type: op,
        queue_id: uint(o.queue_id, 'ovs.queue_id'),
        batch_ts: u64(o.batch_ts, 'ovs.batch_ts'),
        batch_idx: uint(o.batch_idx, 'ovs.batch_idx', 8),
      };
    }
    case 'action_execute': {
      const exec = { event_type: type, ...actionFromJson(o), recirc_id: uint(o.recirc_id, 'ovs.recirc_id') } as OvsActionExecute;
      const queueId = optUint(o.queue_id, 'ovs.queue_id');
      if (queueId !== undefined) exec.queue_id = queueId;
      return exec;
    }
    case 'flow_lookup':
      return { event_type: type, ...lookupFields(o, 'ovs') };
    default:
      throw new SectionValueError(`ovs.event_type: unknown event type "${type}"`);
  }
}

function natToJson(nat: OvsCtNat): string {
  const parts: string[] = [];
  if (nat.dir !== undefined) parts.push(`"dir":"${nat.dir}"`);
  if (nat.min_addr !== undefined) parts.push(`"min_addr":${quote(nat.min_addr)}`);
  if (nat.max_addr !== undefined) parts.push(`"max_addr":${quote(nat.max_addr)}`);
  if (nat.min_port !== undefined) parts.push(`"min_port":${nat.min_port}`);
  if (nat.max_port !== undefined) parts.push(`"max_port":${nat.max_port}`);
  return `{${parts.join(',')}}`;
}

/** `"action":...` and the action's fields, each followed by a comma; '' without an action. */
function actionToJson(a: OvsActionExecute): string {
  switch (a.action) {
    case undefined:
      return '';
    case 'output':
      return `"action":"output","port":${a.port},`;
    case 'recirc':
      return `"action":"recirc","id":${a.id},`;
    case 'drop':
      return `"action":"drop","reason":${a.reason},`;
    case 'ct':
      return `"action":"ct","flags":${a.flags},"zone_id":${a.zone_id},${a.nat === undefined ? '' : `"nat":${natToJson(a.nat)},`}`;
    default:
      return `"action":"${a.action}",`;
  }
}

function flowsToJson(flows: readonly string[]): string {
  return `[${flows.map(quote).join(',')}]`;
}

export function ovsToJson(e: OvsSection): string {
  switch (e.event_type) {
    case 'upcall':
      return `{"event_type":"upcall","cmd":${e.cmd},"port":${e.port},"cpu":${e.cpu}}`;
    case 'upcall_enqueue':
      return `{"event_type":"upcall_enqueue","ret":${e.ret},"cmd":${e.cmd},"port":${e.port},` +
        `"upcall_ts":${e.upcall_ts},"upcall_cpu":${e.upcall_cpu},"queue_id":${e.queue_id}}`;
    case 'upcall_return':
      return `{"event_type":"upcall_return","upcall_ts":${e.upcall_ts},"upcall_cpu":${e.upcall_cpu},"ret":${e.ret}}`;
    case 'recv_upcall':
      return `{"event_type":"recv_upcall","type":${e.type},"pkt_size":${e.pkt_size},"key_size":${e.key_size},` +
        `"queue_id":${e.queue_id},"batch_ts":${e.batch_ts},"batch_idx":${e.batch_idx}}`;
    case 'flow_operation':
      return `{"event_type":"flow_operation","op_type":"${e.op_type}","queue_id":${e.queue_id},` +
        `"batch_ts":${e.batch_ts},"batch_idx":${e.batch_idx}}`;
    case 'action_execute':
      return `{"event_type":"action_execute",${actionToJson(e)}"recirc_id":${e.recirc_id}` +
        `${e.queue_id === undefined ? '' : `,"queue_id":${e.queue_id}`}}`;
    case 'flow_lookup':
      return `{"event_type":"flow_lookup","flow":${e.flow},"sf_acts":${e.sf_acts},"ufid":[${e.ufid.join(',')}],` +
        `"n_mask_hit":${e.n_mask_hit},"n_cache_hit":${e.n_cache_hit},"dpflow":${quote(e.dpflow)},"ofpflows":${flowsToJson(e.ofpflows)}}`;
  }
}

export function detraceFromJson(value: unknown): OvsDetraceSection {
  const o = obj(value, 'ovs-detrace');
  const path = 'ovs-detrace';
  return {
    ufid: ufidFromJson(o.ufid, `${path}.ufid`),
    flow: u64(o.flow, `${path}.flow`),
    sf_acts: u64(o.sf_acts, `${path}.sf_acts`),
    dpflow: str(o.dpflow, `${path}.dpflow`),
    ofpflows: [...strArray(o.ofpflows, `${path}.ofpflows`)],
  };
}

export function detraceToJson(d: OvsDetraceSection): string {
  return `{"ufid":[${d.ufid.join(',')}],"flow":${d.flow},"sf_acts":${d.sf_acts},"dpflow":${quote(d.dpflow)},"ofpflows":${flowsToJson(d.ofpflows)}}`;
}
