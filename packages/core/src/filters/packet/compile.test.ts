import { bpfNative } from '@retis/bpf-native';
import { RetisErrorCode } from '../../errors';
import { decode, INSN_SIZE, isExit } from '../insn';
import { encodeCbpf, ldAbs, retA, retK } from '../test-support/cbpf';
import { compilePacketFilter, LinkType, packetFilterLoadedMessage, PCAP_SNAPLEN, type PcapCompile } from './compile';

/** A pcapCompile stand-in that records its calls. */
function fakePcap(answer: (expr: string, linkType: number) => Buffer): { compile: PcapCompile; calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    compile: (expr, linkType, snaplen, optimize) => {
      calls.push([expr, linkType, snaplen, optimize]);
      return answer(expr, linkType);
    },
  };
}

const ACCEPT = encodeCbpf([retK(0x40000)]);
const realPcap: PcapCompile = (expr, linkType, snaplen, optimize) => bpfNative.pcapCompile(expr, linkType, snaplen, optimize);

function debugLines(): { logger: { debug: (msg: string) => void }; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { debug: (msg) => lines.push(msg) } };
}

describe('compilePacketFilter', () => {
  it('compiles EN10MB for L2 and RAW for L3, optimized, with the snaplen that makes libpcap return 0x40000', () => {
    const pcap = fakePcap(() => ACCEPT);
    const blocks = compilePacketFilter('tcp', pcap.compile);
    expect(pcap.calls).toEqual([
      ['tcp', LinkType.EN10MB, PCAP_SNAPLEN, true],
      ['tcp', LinkType.RAW, PCAP_SNAPLEN, true],
    ]);
    expect(PCAP_SNAPLEN).toBe(0x40000);
    expect(blocks.hasL3).toBe(true);
    expect(packetFilterLoadedMessage(blocks)).toBe('L2+L3 packet filter(s) loaded');
    for (const block of [blocks.l2, blocks.l3]) {
      expect(block.length % INSN_SIZE).toBe(0);
      expect(decode(block).some(isExit)).toBe(false);
    }
  });

  it('does not make an L3 filter for expressions reading the Ethernet header', () => {
    const pcap = fakePcap(() => ACCEPT);
    const { logger, lines } = debugLines();
    const blocks = compilePacketFilter('ether[0] & 1 = 1', pcap.compile, logger);
    expect(pcap.calls.map((c) => c[1])).toEqual([LinkType.EN10MB]);
    expect(blocks.hasL3).toBe(false);
    // mov32 r0, 0
    expect(blocks.l3.toString('hex')).toBe('b400000000000000');
    expect(lines).toEqual(['Skipping L3 filter generation (ether[n:m] not allowed)']);
    expect(packetFilterLoadedMessage(blocks)).toBe('L2 packet filter(s) loaded');
  });

  it('falls back to the reject block when libpcap cannot compile for RAW, and says why at debug level', () => {
    const { logger, lines } = debugLines();
    const blocks = compilePacketFilter('ether broadcast', realPcap, logger);
    expect(blocks.hasL3).toBe(false);
    expect(blocks.l3SkipReason).toBe('Could not compile the filter: not a broadcast link');
    expect(lines).toEqual(['Skipping L3 filter generation (Could not compile the filter: not a broadcast link).']);
  });

  it('makes both filters for an IP expression', () => {
    expect(compilePacketFilter('tcp port 443', realPcap).hasL3).toBe(true);
  });

  it("fails with libpcap's message when the L2 filter does not compile", () => {
    expect(() => compilePacketFilter('tcp port', realPcap)).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^Could not compile the filter: .*syntax error$/),
        code: RetisErrorCode.Filter,
      }),
    );
  });

  it('fails when the L2 program cannot be translated', () => {
    const pcap = fakePcap(() => encodeCbpf([{ code: 0x27, jt: 0, jf: 0, k: 0 }, retA()]));
    expect(() => compilePacketFilter('x', pcap.compile)).toThrow(
      'Could not compile the filter: unsupported cBPF instruction: BPF_MISC|BPF_OP_0x20 (opcode 0x27) at 0',
    );
  });

  it('fails with the reference message when the L2 filter is too large', () => {
    // Word loads past the copied first bytes: 9 instructions each.
    const loads = Array.from({ length: 500 }, (_, i) => ldAbs('w', 200 + i));
    const pcap = fakePcap(() => encodeCbpf([...loads, retA()]));
    expect(() => compilePacketFilter('x', pcap.compile)).toThrow(
      expect.objectContaining({ message: 'Filter exceeds the maximum allowed size.', code: RetisErrorCode.Filter }),
    );
  });

  it('skips an L3 filter that is too large but keeps the L2 one', () => {
    // Word loads past the copied first bytes: 9 instructions each.
    const loads = Array.from({ length: 500 }, (_, i) => ldAbs('w', 200 + i));
    const pcap = fakePcap((_e, linkType) => (linkType === LinkType.RAW ? encodeCbpf([...loads, retA()]) : ACCEPT));
    const { logger, lines } = debugLines();
    expect(compilePacketFilter('x', pcap.compile, logger).hasL3).toBe(false);
    expect(lines).toEqual(['Skipping L3 filter generation (Filter exceeds the maximum allowed size.).']);
  });
});
