/**
 * Encoding of the pcap-ng blocks `retis pcap` writes (draft-ietf-opsawg-
 * pcapng): section header, interface description, enhanced packet and
 * custom blocks, with their options. Little-endian, as the reference's
 * files are; readers take either byte order from the section header.
 *
 * Every block is `type u32, total length u32, body padded to 4 bytes, total
 * length u32 again`; an option is `code u16, length u16, value padded to 4`
 * and an option list ends with code 0 (opt_endofopt).
 */

export const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
export const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
export const BLOCK_ENHANCED_PACKET = 0x00000006;
/** Custom block that may be copied into new files (0x40000BAD may not). */
export const BLOCK_CUSTOM_COPIABLE = 0x00000bad;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
/** Custom option, UTF-8 string, copiable. */
export const OPT_CUSTOM_UTF8_COPIABLE = 2988;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;

export const LINKTYPE_ETHERNET = 1;

/**
 * Private Enterprise Number the reference tags its custom blocks and
 * options with (not registered with IANA; kept for compatibility with its
 * Wireshark dissector).
 */
export const RETIS_PEN = 70000;

export interface PcapngOption {
  code: number;
  value: Buffer;
}

export interface InterfaceDescription {
  linktype: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** if_tsresol: timestamps are in units of 10^-tsresol s (6, microseconds, when absent). */
  tsresol?: number;
}

export interface EnhancedPacket {
  interfaceId: number;
  /** In the interface's if_tsresol units. */
  timestamp: bigint;
  data: Buffer;
  originalLength: number;
  options?: PcapngOption[];
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** An option list, with its end marker (nothing at all for no option). */
export function encodeOptions(options: readonly PcapngOption[]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  let size = 4;
  for (const o of options) {
    if (o.value.length > 0xffff) throw new RangeError(`pcap-ng option ${o.code} is too long (${o.value.length} bytes)`);
    size += 4 + pad4(o.value.length);
  }
  const out = Buffer.alloc(size);
  let off = 0;
  for (const o of options) {
    out.writeUInt16LE(o.code, off);
    out.writeUInt16LE(o.value.length, off + 2);
    o.value.copy(out, off + 4);
    off += 4 + pad4(o.value.length);
  }
  // The end marker is the zeroed tail.
  return out;
}

/** A whole block around `body` (padded here). */
export function encodeBlock(type: number, body: Buffer): Buffer {
  const total = 12 + pad4(body.length);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

/** Section header: version 1.0, section length unknown (-1), no option. */
export function sectionHeaderBlock(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  body.writeBigInt64LE(-1n, 8);
  return encodeBlock(BLOCK_SECTION_HEADER, body);
}

export function interfaceDescriptionBlock(i: InterfaceDescription): Buffer {
  const options: PcapngOption[] = [];
  if (i.name !== undefined) options.push(utf8Option(IF_NAME, i.name));
  if (i.description !== undefined) options.push(utf8Option(IF_DESCRIPTION, i.description));
  if (i.tsresol !== undefined) options.push({ code: IF_TSRESOL, value: Buffer.from([i.tsresol]) });
  const head = Buffer.alloc(8);
  head.writeUInt16LE(i.linktype, 0);
  // Bytes 2-3 are reserved.
  head.writeUInt32LE(i.snaplen, 4);
  return encodeBlock(BLOCK_INTERFACE_DESCRIPTION, Buffer.concat([head, encodeOptions(options)]));
}

export function enhancedPacketBlock(p: EnhancedPacket): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(p.interfaceId, 0);
  head.writeUInt32LE(Number((p.timestamp >> 32n) & 0xffffffffn), 4);
  head.writeUInt32LE(Number(p.timestamp & 0xffffffffn), 8);
  head.writeUInt32LE(p.data.length, 12);
  head.writeUInt32LE(p.originalLength, 16);
  const data = Buffer.alloc(pad4(p.data.length));
  p.data.copy(data);
  return encodeBlock(BLOCK_ENHANCED_PACKET, Buffer.concat([head, data, encodeOptions(p.options ?? [])]));
}

/** Custom block (copiable): the PEN, then the payload. */
export function customBlock(pen: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(pen, 0);
  return encodeBlock(BLOCK_CUSTOM_COPIABLE, Buffer.concat([head, payload]));
}

export function utf8Option(code: number, text: string): PcapngOption {
  return { code, value: Buffer.from(text, 'utf8') };
}

/** Custom UTF-8 option (copiable): the PEN, then the text. */
export function customUtf8Option(pen: number, text: string): PcapngOption {
  const value = Buffer.alloc(4 + Buffer.byteLength(text, 'utf8'));
  value.writeUInt32LE(pen, 0);
  value.write(text, 4, 'utf8');
  return { code: OPT_CUSTOM_UTF8_COPIABLE, value };
}
