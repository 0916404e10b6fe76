/**
 * State of one packet being turned into text.
 *
 * Every dissector appends its text to `out` and, when it cannot go on, sets
 * `err` and returns: the text printed so far is kept and the reason is
 * appended (`... (reason)`), as Retis does. Dissectors receive the region of
 * `buf` they own as [off, end): `end` is already bounded by both the captured
 * bytes and the length fields of the enclosing headers.
 */
const EMPTY = new Uint8Array(0);

export class Dissection {
  buf: Uint8Array = EMPTY;
  /** -e: print link-layer headers (Ethernet, VLAN, MACsec, Geneve protocol). */
  linkLayer = false;
  out = '';
  err = '';

  reset(buf: Uint8Array, linkLayer: boolean): void {
    this.buf = buf;
    this.linkLayer = linkLayer;
    this.out = '';
    this.err = '';
  }

  /** The text, with the reason dissection stopped if it stopped early. Drops the buffer reference. */
  finish(): string {
    const text = this.err === '' ? this.out : this.out + '... (' + this.err + ')';
    this.buf = EMPTY;
    this.out = '';
    return text;
  }

  /** A header is cut short by the end of the capture (or of its enclosing header). */
  truncated(): void {
    this.err = 'truncated or incomplete packet';
  }

  /** `what` is a layer Retis does not dissect, e.g. `protocol 0x2f`. */
  unsupported(what: string): void {
    this.err = what + " not supported, use 'retis pcap'";
  }
}
