/**
 * `ct` section <-> JSON, in Retis's field order: `state`, the base
 * connection's fields (`zone_id, zone_dir, orig, reply, proto_state?,
 * mark?, labels?, ct_status`), then `parent?`. Absent options are omitted.
 */
import { jsonString, obj, optStr, optUint, SectionValueError, str, u64, uint } from '@retis/core';
import type { CtConn, CtIp, CtLabels, CtProto, CtSection, CtState, CtTuple, CtZoneDir } from './types';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const quote = jsonString;

const STATES: ReadonlySet<string> = new Set<CtState>(['established', 'related', 'new', 'reply', 'related_reply', 'untracked']);
const ZONE_DIRS: ReadonlySet<string> = new Set<CtZoneDir>(['Original', 'Reply', 'Default', 'None']);
const IP_VERSIONS: ReadonlySet<string> = new Set(['v4', 'v6']);

function oneOf<T extends string>(v: unknown, allowed: ReadonlySet<string>, path: string): T {
  const s = str(v, path);
  if (!allowed.has(s)) throw new SectionValueError(`${path}: unknown variant "${s}"`);
  return s as T;
}

function ipFromJson(v: unknown, path: string): CtIp {
  const o = obj(v, path);
  return {
    src: str(o.src, `${path}.src`),
    dst: str(o.dst, `${path}.dst`),
    version: oneOf<'v4' | 'v6'>(o.version, IP_VERSIONS, `${path}.version`),
  };
}

function protoFromJson(v: unknown, path: string): CtProto {
  const o = obj(v, path);
  const keys = Object.keys(o);
  if (keys.length !== 1) throw new SectionValueError(`${path}: expected one of tcp, udp, icmp, sctp, got ${keys.length} keys`);
  const key = keys[0];
  const p = obj(o[key], `${path}.${key}`);
  const at = (f: string) => `${path}.${key}.${f}`;
  switch (key) {
    case 'tcp':
    case 'udp': {
      const ports = { sport: uint(p.sport, at('sport'), 16), dport: uint(p.dport, at('dport'), 16) };
      return key === 'tcp' ? { tcp: ports } : { udp: ports };
    }
    case 'icmp':
      return { icmp: { code: uint(p.code, at('code'), 8), type: uint(p.type, at('type'), 8), id: uint(p.id, at('id'), 16) } };
    case 'sctp':
      return { sctp: { sport: uint(p.sport, at('sport'), 16), dport: uint(p.dport, at('dport'), 16), vtag: uint(p.vtag, at('vtag')) } };
    default:
      throw new SectionValueError(`${path}: unknown protocol "${key}"`);
  }
}

function tupleFromJson(v: unknown, path: string): CtTuple {
  const o = obj(v, path);
  return { ip: ipFromJson(o.ip, `${path}.ip`), proto: protoFromJson(o.proto, `${path}.proto`) };
}

function connFromJson(o: Record<string, unknown>, path: string): CtConn {
  const conn: CtConn = {
    zone_id: uint(o.zone_id, `${path}.zone_id`, 16),
    zone_dir: oneOf<CtZoneDir>(o.zone_dir, ZONE_DIRS, `${path}.zone_dir`),
    orig: tupleFromJson(o.orig, `${path}.orig`),
    reply: tupleFromJson(o.reply, `${path}.reply`),
    // Required, as in Retis: 1.5 files get 0 from the reader's compatibility fix-ups, a later
    // file without it is invalid.
    ct_status: u64(o.ct_status, `${path}.ct_status`),
  };
  const protoState = optStr(o.proto_state, `${path}.proto_state`);
  if (protoState !== undefined) conn.proto_state = protoState;
  const mark = optUint(o.mark, `${path}.mark`);
  if (mark !== undefined) conn.mark = mark;
  if (o.labels !== undefined && o.labels !== null) {
    const l = obj(o.labels, `${path}.labels`);
    conn.labels = { hi: u64(l.hi, `${path}.labels.hi`), lo: u64(l.lo, `${path}.labels.lo`) };
  }
  return conn;
}

export function ctFromJson(value: unknown): CtSection {
  const o = obj(value, 'ct');
  const ct: CtSection = { state: oneOf<CtState>(o.state, STATES, 'ct.state'), ...connFromJson(o, 'ct') };
  if (o.parent !== undefined && o.parent !== null) ct.parent = connFromJson(obj(o.parent, 'ct.parent'), 'ct.parent');
  return ct;
}

function ipToJson(ip: CtIp): string {
  return `{"src":${quote(ip.src)},"dst":${quote(ip.dst)},"version":"${ip.version}"}`;
}

function protoToJson(p: CtProto): string {
  if ('tcp' in p) return `{"tcp":{"sport":${p.tcp.sport},"dport":${p.tcp.dport}}}`;
  if ('udp' in p) return `{"udp":{"sport":${p.udp.sport},"dport":${p.udp.dport}}}`;
  if ('icmp' in p) return `{"icmp":{"code":${p.icmp.code},"type":${p.icmp.type},"id":${p.icmp.id}}}`;
  return `{"sctp":{"sport":${p.sctp.sport},"dport":${p.sctp.dport},"vtag":${p.sctp.vtag}}}`;
}

function tupleToJson(t: CtTuple): string {
  return `{"ip":${ipToJson(t.ip)},"proto":${protoToJson(t.proto)}}`;
}

function labelsToJson(l: CtLabels): string {
  return `{"hi":${l.hi},"lo":${l.lo}}`;
}

/** The connection's fields, without braces (they are flattened in the section). */
function connFields(c: CtConn): string {
  let out = `"zone_id":${c.zone_id},"zone_dir":"${c.zone_dir}","orig":${tupleToJson(c.orig)},"reply":${tupleToJson(c.reply)}`;
  if (c.proto_state !== undefined) out += `,"proto_state":${quote(c.proto_state)}`;
  if (c.mark !== undefined) out += `,"mark":${c.mark}`;
  if (c.labels !== undefined) out += `,"labels":${labelsToJson(c.labels)}`;
  return out + `,"ct_status":${c.ct_status}`;
}

export function ctToJson(ct: CtSection): string {
  const head = `{"state":"${ct.state}",${connFields(ct)}`;
  return ct.parent === undefined ? head + '}' : `${head},"parent":{${connFields(ct.parent)}}}`;
}
