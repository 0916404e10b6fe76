/**
 * Reading what retis wrote, independently of the code under test: events
 * files are parsed with a plain JSON reader that keeps long integers as
 * strings, and packets are decoded here from their bytes.
 */
import * as fs from 'fs';

export type Json = { [k: string]: any };

/** Parses a JSON line keeping integers of 16+ digits exact (as strings). */
export function parseLine(line: string): Json {
  return JSON.parse(line.replace(/([:\[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"'));
}

/** Events of a file (the startup event first). */
export function readEvents(file: string): Json[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(parseLine);
}

export interface DecodedPacket {
  ethertype: number;
  src?: string;
  dst?: string;
  proto?: number;
  sport?: number;
  dport?: number;
  tcpFlags?: number;
  icmpType?: number;
  ipId?: number;
  ttl?: number;
  totalLen?: number;
}

/** Decodes an Ethernet + IPv4 (+ TCP/UDP/ICMP) frame. */
export function decodePacket(base64: string): DecodedPacket {
  const b = Buffer.from(base64, 'base64');
  const ethertype = b.readUInt16BE(12);
  const out: DecodedPacket = { ethertype };
  if (ethertype !== 0x0800) return out;
  const ip = 14;
  const ihl = (b[ip] & 0x0f) * 4;
  out.totalLen = b.readUInt16BE(ip + 2);
  out.ipId = b.readUInt16BE(ip + 4);
  out.ttl = b[ip + 8];
  out.proto = b[ip + 9];
  out.src = [...b.subarray(ip + 12, ip + 16)].join('.');
  out.dst = [...b.subarray(ip + 16, ip + 20)].join('.');
  const l4 = ip + ihl;
  if (out.proto === 6 || out.proto === 17) {
    out.sport = b.readUInt16BE(l4);
    out.dport = b.readUInt16BE(l4 + 2);
  }
  if (out.proto === 6) out.tcpFlags = b[l4 + 13];
  if (out.proto === 1) out.icmpType = b[l4];
  return out;
}
