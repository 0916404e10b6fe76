/**
 * Console text of the `ct` section (reference §4.1), as Retis prints it:
 *
 *   ct_state NEW status 0x188 icmp orig [a > b type 8 code 0 id 1] reply [b > a type 0 code 0 id 1] zone 0 mark 0
 *
 * Two Retis quirks are kept on purpose, so that the text stays identical
 * line for line: the protocol part always ends with a space, so a
 * connection without zone (zone_dir "None") prints two spaces before
 * `mark`; and the parent connection goes on a new line starting with `\`.
 */
import type { DisplayFormat } from '@retis/core';
import type { CtConn, CtSection, CtState } from './types';

const STATE_TEXT: Record<CtState, string> = {
  established: 'ESTABLISHED',
  related: 'RELATED',
  new: 'NEW',
  reply: 'REPLY',
  related_reply: 'RELATED_REPLY',
  untracked: 'UNTRACKED',
};

/** The orig and reply tuples; nothing when their protocols differ (never written by the collector). */
function tuplesText(c: CtConn): string {
  const o = c.orig;
  const r = c.reply;
  const op = o.proto;
  const rp = r.proto;
  if ('tcp' in op && 'tcp' in rp) {
    return `tcp (${c.proto_state ?? 'UNKNOWN'}) orig [${o.ip.src}.${op.tcp.sport} > ${o.ip.dst}.${op.tcp.dport}] ` +
      `reply [${r.ip.src}.${rp.tcp.sport} > ${r.ip.dst}.${rp.tcp.dport}] `;
  }
  if ('udp' in op && 'udp' in rp) {
    return `udp orig [${o.ip.src}.${op.udp.sport} > ${o.ip.dst}.${op.udp.dport}] ` +
      `reply [${r.ip.src}.${rp.udp.sport} > ${r.ip.dst}.${rp.udp.dport}] `;
  }
  if ('icmp' in op && 'icmp' in rp) {
    return `icmp orig [${o.ip.src} > ${o.ip.dst} type ${op.icmp.type} code ${op.icmp.code} id ${op.icmp.id}] ` +
      `reply [${r.ip.src} > ${r.ip.dst} type ${rp.icmp.type} code ${rp.icmp.code} id ${rp.icmp.id}] `;
  }
  if ('sctp' in op && 'sctp' in rp) {
    return `sctp (${c.proto_state ?? 'UNKNOWN'}) ` +
      `orig [${o.ip.src}.${op.sctp.sport} > ${o.ip.dst}.${op.sctp.dport} vtag 0x${op.sctp.vtag.toString(16)}] ` +
      `reply [${r.ip.src}.${rp.sctp.sport} > ${r.ip.dst}.${rp.sctp.dport} vtag 0x${rp.sctp.vtag.toString(16)}] `;
  }
  return '';
}

function zoneText(c: CtConn): string {
  switch (c.zone_dir) {
    case 'Original':
      return `orig-zone ${c.zone_id}`;
    case 'Reply':
      return `reply-zone ${c.zone_id}`;
    case 'Default':
      return `zone ${c.zone_id}`;
    default:
      return '';
  }
}

function connText(c: CtConn): string {
  let out = `status 0x${c.ct_status.toString(16)} ${tuplesText(c)}${zoneText(c)}`;
  if (c.mark !== undefined) out += ` mark ${c.mark}`;
  if (c.labels !== undefined) out += ` labels 0x${((c.labels.hi << 64n) | c.labels.lo).toString(16)}`;
  return out;
}

export function formatCt(ct: CtSection, fmt: DisplayFormat): string {
  let out = `ct_state ${STATE_TEXT[ct.state]} ${connText(ct)}`;
  if (ct.parent !== undefined) out += `${fmt.multiLine ? '\n\\' : ''} parent [${connText(ct.parent)}]`;
  return out;
}
