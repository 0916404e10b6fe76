/**
 * MACsec (802.1AE). With -e: `an N pn N flags [ECSBI][ sl N][ sci 0x................]`.
 * An encrypted or modified payload ends the dissection; otherwise the
 * ethertype it protects follows, as in a plain Ethernet frame.
 */
import { hexBytes, u16, u32 } from './bytes';
import type { Dissection } from './dissection';
import { traverseVlan } from './ethernet';

/** TCI/AN byte, short length byte, packet number. */
const SECTAG_LEN = 6;
const SCI_LEN = 8;

/** TCI bits, in the TCI/AN byte. */
const TCI_ES = 0x40;
const TCI_SC = 0x20;
const TCI_SCB = 0x10;
const TCI_E = 0x08;
const TCI_C = 0x04;

export function dissectMacsec(d: Dissection, off: number, end: number): void {
  if (end - off < SECTAG_LEN) return d.truncated();
  const b = d.buf;
  const tci = b[off];
  const hasSci = (tci & TCI_SC) !== 0;
  const tagEnd = off + SECTAG_LEN + (hasSci ? SCI_LEN : 0);
  if (tagEnd > end) return d.truncated();

  if (d.linkLayer) {
    let s = 'an ' + (tci & 0x03) + ' pn ' + u32(b, off + 2) + ' flags [' +
      ((tci & TCI_E) !== 0 ? 'E' : '') + ((tci & TCI_C) !== 0 ? 'C' : '') +
      ((tci & TCI_ES) !== 0 ? 'S' : '') + ((tci & TCI_SCB) !== 0 ? 'B' : '') +
      (hasSci ? 'I' : '') + ']';
    const shortLen = b[off + 1] & 0x3f;
    if (shortLen > 0) s += ' sl ' + shortLen;
    if (hasSci) s += ' sci 0x' + hexBytes(b, off + SECTAG_LEN, tagEnd);
    d.out += s;
  }

  if ((tci & (TCI_E | TCI_C)) !== 0) {
    // Nothing readable follows; without -e, say at least what this is.
    if (!d.linkLayer) d.out += '802.1AE MACsec frame';
    return;
  }
  if (end - tagEnd < 2) return d.truncated();
  traverseVlan(d, u16(b, tagEnd), tagEnd + 2, end);
}
