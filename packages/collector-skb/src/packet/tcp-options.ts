/**
 * TCP options, comma-separated, named as tcpdump names them, with values for
 * mss, wscale, sack, echo/echoreply, cc/ccnew/ccecho, TS and tfo. Every
 * option is listed, padding `eol`s included.
 */
import { hex2, u16, u32 } from './bytes';

function optionName(kind: number): string {
  switch (kind) {
    case 0: return 'eol';
    case 1: return 'nop';
    case 2: return 'mss';
    case 3: return 'wscale';
    case 4: return 'sackOK';
    case 5: return 'sack';
    case 6: return 'echo';
    case 7: return 'echoreply';
    case 8: return 'TS';
    case 11: return 'cc';
    case 12: return 'ccnew';
    case 13: return 'ccecho';
    case 19: return 'md5';
    case 20: return 'scps';
    case 28: return 'uto';
    case 29: return 'tcp-ao';
    case 30: return 'mptcp';
    case 34: return 'tfo';
    case 254: return 'exp';
    default: return '?';
  }
}

/** The options in [off, end), without the surrounding brackets. */
export function tcpOptionsText(b: Uint8Array, off: number, end: number): string {
  let s = '';
  while (off < end) {
    const kind = b[off];
    if (s !== '') s += ',';
    s += optionName(kind);
    if (kind <= 1) {
      off++;
      continue;
    }

    // Announced data length (the length byte counts kind and itself), and
    // the end of what was captured of it.
    const dataLen = off + 1 < end && b[off + 1] >= 2 ? b[off + 1] - 2 : 0;
    const data = off + 2;
    const dataEnd = Math.min(data + dataLen, end);
    const have = dataEnd - data;

    switch (kind) {
      case 2:
        if (have >= 2) s += ' ' + u16(b, data);
        break;
      case 3:
        if (have >= 1) s += ' ' + b[data];
        break;
      case 5:
        if (dataLen % 8 !== 0) {
          s += ' invalid';
        } else {
          s += ' ' + dataLen / 8 + ' ';
          for (let i = data; i + 8 <= dataEnd; i += 8) s += '{' + u32(b, i) + ':' + u32(b, i + 4) + '}';
        }
        break;
      case 6:
      case 7:
      case 11:
      case 12:
      case 13:
        if (have >= 4) s += ' ' + u32(b, data);
        break;
      case 8:
        if (have >= 8) s += ' val ' + u32(b, data) + ' ecr ' + u32(b, data + 4);
        break;
      case 34:
        if (dataLen === 0) {
          s += ' cookiereq';
        } else {
          // One hex pair per announced byte, `??` for bytes not captured.
          s += ' cookie ';
          for (let i = 0; i < dataLen; i++) s += i < have ? hex2(b[data + i]) : '??';
        }
        break;
    }
    off = data + dataLen;
  }
  return s;
}
