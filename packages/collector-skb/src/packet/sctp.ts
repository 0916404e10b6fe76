/**
 * SCTP: ` vtag 0x.` then one bracketed item per chunk, e.g.
 * ` [DATA (BE) TSN 1 SID 0 SSEQ 0 PPID 0x0]`. Chunk fields that were not
 * captured are left out rather than failing the whole line.
 */
import { u16, u32 } from './bytes';
import type { Dissection } from './dissection';

const SCTP_HLEN = 12;
const CHUNK_HLEN = 4;

const DATA = 0;
const INIT = 1;
const INIT_ACK = 2;
const SACK = 3;

function chunkName(type: number): string | undefined {
  switch (type) {
    case DATA: return 'DATA';
    case INIT: return 'INIT';
    case INIT_ACK: return 'INIT ACK';
    case SACK: return 'SACK';
    case 4: return 'HEARTBEAT';
    case 5: return 'HEARTBEAT_ACK';
    case 6: return 'ABORT';
    case 7: return 'SHUTDOWN';
    case 8: return 'SHUTDOWN_ACK';
    case 9: return 'ERROR';
    case 10: return 'COOKIE_ECHO';
    case 11: return 'COOKIE_ACK';
    case 12: return 'ECNE';
    case 13: return 'CWR';
    case 14: return 'SHUTDOWN_COMPLETE';
    default: return undefined;
  }
}

export function dissectSctp(d: Dissection, off: number, end: number): void {
  if (end - off < SCTP_HLEN) return d.truncated();
  const b = d.buf;
  let s = ' vtag 0x' + u32(b, off + 4).toString(16);

  let p = off + SCTP_HLEN;
  while (end - p >= CHUNK_HLEN) {
    const type = b[p];
    // Chunks are padded to 4 bytes; a length below the header still moves
    // to the next 4 bytes.
    const next = p + Math.max((u16(b, p + 2) + 3) & ~3, CHUNK_HLEN);
    s += ' [' + chunkText(b, type, p, Math.min(next, end)) + ']';
    p = next;
  }
  d.out += s;
}

/** The chunk at `c`, reading only fields that end before `end`. */
function chunkText(b: Uint8Array, type: number, c: number, end: number): string {
  const name = chunkName(type);
  if (name === undefined) return 'UNKNOWN:' + type;
  let s = name;
  switch (type) {
    case DATA: {
      const flags = b[c + 1];
      const f = ((flags & 0x04) !== 0 ? 'U' : '') + ((flags & 0x02) !== 0 ? 'B' : '') + ((flags & 0x01) !== 0 ? 'E' : '');
      if (f !== '') s += ' (' + f + ')';
      if (c + 8 <= end) s += ' TSN ' + u32(b, c + 4);
      if (c + 10 <= end) s += ' SID ' + u16(b, c + 8);
      if (c + 12 <= end) s += ' SSEQ ' + u16(b, c + 10);
      if (c + 16 <= end) s += ' PPID 0x' + u32(b, c + 12).toString(16);
      break;
    }
    case INIT:
    case INIT_ACK:
      if (c + 8 <= end) s += ' init_tag 0x' + u32(b, c + 4).toString(16);
      if (c + 12 <= end) s += ' rwnd ' + u32(b, c + 8);
      if (c + 14 <= end) s += ' OS ' + u16(b, c + 12);
      if (c + 16 <= end) s += ' MIS ' + u16(b, c + 14);
      if (c + 20 <= end) s += ' init_TSN ' + u32(b, c + 16);
      break;
    case SACK:
      if (c + 8 <= end) s += ' cum_ack ' + u32(b, c + 4);
      if (c + 12 <= end) s += ' a_rwnd ' + u32(b, c + 8);
      if (c + 14 <= end) s += ' #gap_acks ' + u16(b, c + 12);
      if (c + 16 <= end) s += ' #dup_tsns ' + u16(b, c + 14);
      break;
  }
  return s;
}
