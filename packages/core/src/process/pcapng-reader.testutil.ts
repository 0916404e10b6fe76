/**
 * A pcap-ng reader for tests, written from the format specification and
 * independent of the writer under test: every block of a file with its
 * fields and options, in either byte order.
 */

export interface PcapngOptionRead {
  code: number;
  value: Buffer;
}

export type PcapngBlockRead =
  | { kind: 'section'; major: number; minor: number; sectionLength: bigint; options: PcapngOptionRead[] }
  | { kind: 'interface'; linktype: number; snaplen: number; options: PcapngOptionRead[] }
  | {
      kind: 'packet';
      interfaceId: number;
      timestamp: bigint;
      capturedLength: number;
      originalLength: number;
      data: Buffer;
      options: PcapngOptionRead[];
    }
  | { kind: 'custom'; type: number; pen: number; payload: Buffer }
  | { kind: 'other'; type: number; body: Buffer };

/** Every block of a pcap-ng file. Throws on a malformed file. */
export function readPcapngBlocks(file: Buffer): PcapngBlockRead[] {
  const blocks: PcapngBlockRead[] = [];
  let le = true;
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const options = (b: Buffer): PcapngOptionRead[] => {
    const out: PcapngOptionRead[] = [];
    let o = 0;
    while (o + 4 <= b.length) {
      const code = u16(b, o);
      const len = u16(b, o + 2);
      if (code === 0) break;
      if (o + 4 + len > b.length) throw new Error(`option ${code} runs past its block`);
      out.push({ code, value: Buffer.from(b.subarray(o + 4, o + 4 + len)) });
      o += 4 + ((len + 3) & ~3);
    }
    return out;
  };
  let off = 0;
  while (off < file.length) {
    if (off + 12 > file.length) throw new Error(`truncated block at offset ${off}`);
    const type = file.readUInt32LE(off);
    if (type === 0x0a0d0d0a) {
      const magic = file.readUInt32LE(off + 8);
      if (magic === 0x1a2b3c4d) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else throw new Error(`bad byte-order magic at offset ${off}`);
    } else if (blocks.length === 0) {
      throw new Error('the file does not start with a section header block');
    }
    const len = u32(file, off + 4);
    if (len < 12 || len % 4 !== 0 || off + len > file.length) throw new Error(`bad block length ${len} at offset ${off}`);
    if (u32(file, off + len - 4) !== len) throw new Error(`trailing length differs at offset ${off}`);
    const body = file.subarray(off + 8, off + len - 4);
    const blockType = u32(file, off);
    switch (blockType) {
      case 0x0a0d0d0a:
        blocks.push({
          kind: 'section',
          major: u16(body, 4),
          minor: u16(body, 6),
          sectionLength: le ? body.readBigInt64LE(8) : body.readBigInt64BE(8),
          options: options(body.subarray(16)),
        });
        break;
      case 1:
        blocks.push({ kind: 'interface', linktype: u16(body, 0), snaplen: u32(body, 4), options: options(body.subarray(8)) });
        break;
      case 6: {
        const captured = u32(body, 12);
        blocks.push({
          kind: 'packet',
          interfaceId: u32(body, 0),
          timestamp: (BigInt(u32(body, 4)) << 32n) | BigInt(u32(body, 8)),
          capturedLength: captured,
          originalLength: u32(body, 16),
          data: Buffer.from(body.subarray(20, 20 + captured)),
          options: options(body.subarray(20 + ((captured + 3) & ~3))),
        });
        break;
      }
      case 0xbad:
      case 0x40000bad:
        blocks.push({ kind: 'custom', type: blockType, pen: u32(body, 0), payload: Buffer.from(body.subarray(4)) });
        break;
      default:
        blocks.push({ kind: 'other', type: blockType, body: Buffer.from(body) });
    }
    off += len;
  }
  return blocks;
}

/** Values of the options with this code, as UTF-8 text. */
export function optionTexts(options: readonly PcapngOptionRead[], code: number): string[] {
  return options.filter((o) => o.code === code).map((o) => o.value.toString('utf8'));
}
