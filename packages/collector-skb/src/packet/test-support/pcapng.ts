/**
 * Minimal pcap-ng reader for fixtures: the packets of the enhanced packet
 * blocks with their comment options. Little-endian sections only, which is
 * what the fixture holds.
 */
import { readFileSync } from 'node:fs';

export interface PcapngPacket {
  data: Buffer;
  comments: string[];
}

const SHB = 0x0a0d0d0a;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;

export function readPcapng(path: string): PcapngPacket[] {
  const file = readFileSync(path);
  const packets: PcapngPacket[] = [];
  let off = 0;
  while (off + 12 <= file.length) {
    const type = file.readUInt32LE(off);
    const len = file.readUInt32LE(off + 4);
    if (len < 12 || off + len > file.length) throw new Error(`${path}: bad block length ${len} at offset ${off}`);
    if (type === SHB && file.readUInt32LE(off + 8) !== BYTE_ORDER_MAGIC) {
      throw new Error(`${path}: big-endian pcap-ng section at offset ${off} is not supported`);
    }
    if (type === EPB) {
      const capLen = file.readUInt32LE(off + 20);
      const data = file.subarray(off + 28, off + 28 + capLen);
      const comments: string[] = [];
      let opt = off + 28 + pad4(capLen);
      const blockEnd = off + len - 4;
      while (opt + 4 <= blockEnd) {
        const code = file.readUInt16LE(opt);
        const optLen = file.readUInt16LE(opt + 2);
        if (code === OPT_END) break;
        if (code === OPT_COMMENT) comments.push(file.toString('utf8', opt + 4, opt + 4 + optLen));
        opt += 4 + pad4(optLen);
      }
      packets.push({ data: Buffer.from(data), comments });
    }
    off += len;
  }
  return packets;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
