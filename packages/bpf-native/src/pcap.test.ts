import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { BpfError, bpfNative } from './index';

const DLT_EN10MB = 1;
const DLT_RAW = 12;

// tcpdump's compilation of `expr` for a capture of that link type (read from
// an empty pcap file with snaplen 65535, as pcapCompile defaults to).
function tcpdumpProgram(expr: string, linkType: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'retis-pcap-'));
  try {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(linkType, 20);
    writeFileSync(join(dir, 'empty.pcap'), header);
    const out = execFileSync('tcpdump', ['-r', join(dir, 'empty.pcap'), '-ddd', expr], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [count, ...lines] = out.toString().trim().split('\n');
    const prog = Buffer.alloc(Number(count) * 8);
    lines.forEach((line, i) => {
      const [code, jt, jf, k] = line.split(' ').map(Number);
      prog.writeUInt16LE(code, i * 8);
      prog.writeUInt8(jt, i * 8 + 2);
      prog.writeUInt8(jf, i * 8 + 3);
      prog.writeUInt32LE(k >>> 0, i * 8 + 4);
    });
    return prog;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// IPv4 header + 20-byte transport header with the given protocol and ports.
function ipv4(protocol: number, sport: number, dport: number): Buffer {
  const p = Buffer.alloc(40);
  p.writeUInt8(0x45, 0);
  p.writeUInt16BE(40, 2);
  p.writeUInt8(64, 8);
  p.writeUInt8(protocol, 9);
  p.writeUInt32BE(0x0a000001, 12);
  p.writeUInt32BE(0x0a000002, 16);
  p.writeUInt16BE(sport, 20);
  p.writeUInt16BE(dport, 22);
  return p;
}

function ethernet(payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  h.writeUInt16BE(0x0800, 12);
  return Buffer.concat([h, payload]);
}

const TCP = 6;
const UDP = 17;

describe('pcap', () => {
  it.each([
    ['EN10MB', DLT_EN10MB],
    ['RAW', DLT_RAW],
  ])('compiles tcp port 80 for %s as tcpdump does', (_name, linkType) => {
    const prog = bpfNative.pcapCompile('tcp port 80', linkType);
    expect(prog.length % 8).toBe(0);
    expect(prog).toEqual(tcpdumpProgram('tcp port 80', linkType));
  });

  it('gives libpcap verdicts on packets', () => {
    const eth = bpfNative.pcapCompile('tcp port 80', DLT_EN10MB);
    expect(bpfNative.pcapFilter(eth, ethernet(ipv4(TCP, 40000, 80)))).toBe(65535);
    expect(bpfNative.pcapFilter(eth, ethernet(ipv4(TCP, 80, 40000)))).toBe(65535);
    expect(bpfNative.pcapFilter(eth, ethernet(ipv4(UDP, 40000, 80)))).toBe(0);
    expect(bpfNative.pcapFilter(eth, ethernet(ipv4(TCP, 40000, 81)))).toBe(0);
    const raw = bpfNative.pcapCompile('tcp port 80', DLT_RAW, 1500);
    expect(bpfNative.pcapFilter(raw, ipv4(TCP, 1, 80))).toBe(1500);
    // A packet cut before the ports: the filter cannot match it.
    expect(bpfNative.pcapFilter(raw, ipv4(TCP, 1, 80).subarray(0, 21), 40)).toBe(0);
  });

  it('compiles without the optimizer when asked', () => {
    const optimized = bpfNative.pcapCompile('tcp port 80', DLT_EN10MB);
    const plain = bpfNative.pcapCompile('tcp port 80', DLT_EN10MB, 65535, false);
    expect(plain.length).toBeGreaterThan(optimized.length);
  });

  it("reports libpcap's message for a bad expression", () => {
    let error: unknown;
    try {
      bpfNative.pcapCompile('tcp port 99999', DLT_EN10MB);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ op: 'pcap_compile', code: 'EINVAL', message: 'illegal port number 99999 > 65535' });
    expect(() => bpfNative.pcapCompile('tcp prot 80', DLT_EN10MB)).toThrow(/syntax error/);
  });

  it('refuses invalid cBPF programs and arguments', () => {
    // ja +5 past the end of a 1-instruction program.
    const bad = Buffer.from([0x05, 0, 0, 0, 5, 0, 0, 0]);
    expect(() => bpfNative.pcapFilter(bad, Buffer.alloc(10))).toThrow(expect.objectContaining({ op: 'bpf_validate' }));
    expect(() => bpfNative.pcapFilter(Buffer.alloc(7), Buffer.alloc(10))).toThrow(TypeError);
    expect(() => bpfNative.pcapCompile('tcp', -1)).toThrow(TypeError);
  });
});
