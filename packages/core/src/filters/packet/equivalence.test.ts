/**
 * The translated filters, run by the kernel, give libpcap's verdicts.
 *
 * For every expression of the corpus and every generated packet, the L2
 * block (EN10MB) runs on the frame and the L3 block (RAW, or the reject block
 * when libpcap cannot make one) on its network header, through the packet
 * harness; libpcap's bpf_filter runs the cBPF program it compiled on the same
 * bytes. The harness stores each frame zero-padded to PACKET_BYTES and the
 * eBPF filter does not stop at the packet's end (reference behaviour), so
 * libpcap is given the padded bytes with the real length as wire length:
 * both see the same memory.
 */
import { bpfNative } from '@retis/bpf-native';
import { EXPRESSION_FAMILIES, EXPRESSIONS } from '../test-support/expression-corpus';
import { generatePackets } from '../test-support/packet-corpus';
import { PacketHarness, paddedView, wireLength, type Layer } from '../test-support/packet-harness';
import { compilePacketFilter, LinkType, PCAP_SNAPLEN, type PcapCompile } from './compile';

const PACKET_COUNT = 4000;
const pcapCompile: PcapCompile = (expr, linkType, snaplen, optimize) =>
  bpfNative.pcapCompile(expr, linkType, snaplen, optimize);

const packets = generatePackets(PACKET_COUNT);
const views = packets.map((p) => ({
  2: { bytes: paddedView(p, 2), wire: wireLength(p, 2) },
  3: { bytes: paddedView(p, 3), wire: wireLength(p, 3) },
}));

interface Mismatch {
  expr: string;
  layer: Layer;
  packet: string;
  libpcap: boolean;
  ebpf: boolean;
}

let harness: PacketHarness;
let pairs = 0;
let elapsed = 0;
/** Expressions that both matched and missed some packet at L2. */
const twoSided = new Set<string>();

beforeAll(async () => {
  harness = new PacketHarness(bpfNative);
  await harness.setPackets(packets);
});

afterAll(() => {
  harness?.close();
  console.log(
    `packet filter equivalence: ${EXPRESSIONS.length} expressions x ${PACKET_COUNT} packets, ` +
      `${pairs} (expression, packet, layer) verdicts compared in ${(elapsed / 1000).toFixed(1)} s`,
  );
});

async function compare(expr: string): Promise<Mismatch[]> {
  const started = Date.now();
  const blocks = compilePacketFilter(expr, pcapCompile);
  const cbpf: Record<Layer, Buffer | undefined> = {
    2: pcapCompile(expr, LinkType.EN10MB, PCAP_SNAPLEN, true),
    3: blocks.hasL3 ? pcapCompile(expr, LinkType.RAW, PCAP_SNAPLEN, true) : undefined,
  };
  const mismatches: Mismatch[] = [];
  const seen = new Set<boolean>();
  const loaded = await harness.load(blocks.l2, blocks.l3);
  try {
    for (let i = 0; i < packets.length; i++) {
      for (const layer of [2, 3] as const) {
        const program = cbpf[layer];
        const { bytes, wire } = views[i][layer];
        // Without an L3 filter the reject block stands in, as in a probe.
        const libpcap = program !== undefined && bpfNative.pcapFilter(program, bytes, wire) !== 0;
        const ebpf = loaded.run(i, layer) !== 0;
        if (layer === 2) seen.add(libpcap);
        if (libpcap !== ebpf) {
          mismatches.push({ expr, layer, packet: packets[i].bytes.toString('hex'), libpcap, ebpf });
        }
      }
    }
  } finally {
    loaded.close();
  }
  pairs += packets.length * 2;
  elapsed += Date.now() - started;
  if (seen.size === 2) twoSided.add(expr);
  return mismatches;
}

describe('packet filters run in the kernel agree with libpcap', () => {
  it('has a corpus of at least 200 expressions', () => {
    expect(EXPRESSIONS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(EXPRESSIONS).size).toBe(EXPRESSIONS.length);
  });

  describe.each(Object.entries(EXPRESSION_FAMILIES))('%s', (_family, expressions) => {
    it.each(expressions.map((e) => [e]))('%s', async (expr) => {
      const mismatches = await compare(expr);
      expect(mismatches.slice(0, 5)).toEqual([]);
    });
  });

  it('exercises both verdicts for most expressions', () => {
    // Expressions such as `rarp` or `mpls` never match the generated traffic;
    // the rest must see matching and non-matching packets.
    expect(twoSided.size).toBeGreaterThanOrEqual(Math.floor(EXPRESSIONS.length * 0.85));
  });
});
