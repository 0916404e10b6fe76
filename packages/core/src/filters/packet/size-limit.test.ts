/**
 * The largest filters users write by hand, long `or` chains of hosts and
 * ports, translate right up to the size limit, load through the verifier
 * and keep libpcap's verdicts; one term more is refused with the reference's
 * message.
 *
 * Chains of IPv4 hosts or of ports alone reach the limit only past ~700
 * terms, where libpcap's optimizer needs minutes; IPv6 hosts and host/port
 * pairs get there in a fraction of a second.
 */
import { bpfNative } from '@retis/bpf-native';
import { FilterSizeError, MAX_FILTER_INSNS } from '../assembler';
import { decodeCbpf, INSN_SIZE } from '../insn';
import { chainHost, chainHost6, chainPort, host6Chain, hostPortChain } from '../test-support/expression-corpus';
import { EtherType, ethernet, IpProto, ipv4, ipv4Addr, ipv6, ipv6Addr, mac, TcpFlag, tcp } from '../test-support/frames';
import { PacketHarness, paddedView, wireLength, type HarnessPacket } from '../test-support/packet-harness';
import { compilePacketFilter, LinkType, PCAP_SNAPLEN, type PcapCompile } from './compile';
import { translateCbpf } from './translate';

const pcapCompile: PcapCompile = (expr, linkType, snaplen, optimize) =>
  bpfNative.pcapCompile(expr, linkType, snaplen, optimize);

/** eBPF size of the L2 block, Infinity past the limit. */
function l2Size(expr: string): number {
  try {
    return translateCbpf(decodeCbpf(pcapCompile(expr, LinkType.EN10MB, PCAP_SNAPLEN, true))).length;
  } catch (e) {
    if (e instanceof FilterSizeError) return Infinity;
    throw e;
  }
}

/** The largest n whose `chain(n)` fits: extrapolated from two small chains (sizes grow linearly), then adjusted. */
function largestFitting(chain: (n: number) => string): number {
  const small = 20;
  const perTerm = (l2Size(chain(2 * small)) - l2Size(chain(small))) / small;
  let n = Math.floor(small + (MAX_FILTER_INSNS - l2Size(chain(small))) / perTerm);
  while (l2Size(chain(n)) > MAX_FILTER_INSNS) n--;
  while (l2Size(chain(n + 1)) <= MAX_FILTER_INSNS) n++;
  return n;
}

const SRC_MAC = mac('02:00:00:00:00:01');
const DST_MAC = mac('02:00:00:00:00:02');
const syn = (sport: number, dport: number): Buffer => tcp(sport, dport, TcpFlag.SYN, Buffer.alloc(0));

function tcp4(src: string, dst: string, sport: number, dport: number): HarnessPacket {
  const ip = ipv4(ipv4Addr(src), ipv4Addr(dst), IpProto.TCP, syn(sport, dport));
  return { bytes: ethernet(DST_MAC, SRC_MAC, EtherType.IPV4, ip), l3Offset: 14 };
}

function tcp6(src: string, dst: string): HarnessPacket {
  const ip = ipv6(ipv6Addr(src), ipv6Addr(dst), IpProto.TCP, syn(1, 2));
  return { bytes: ethernet(DST_MAC, SRC_MAC, EtherType.IPV6, ip), l3Offset: 14 };
}

const CHAINS: Array<[string, (n: number) => string, (n: number) => HarnessPacket[]]> = [
  ['IPv6 hosts', host6Chain, (n) => [
    tcp6(chainHost6(0), '2001:db8:ffff::1'),
    tcp6('2001:db8:ffff::1', chainHost6(n - 1)),
    tcp6(chainHost6(n), '2001:db8:ffff::1'),
    tcp6('2001:db8:ffff::1', '2001:db8:ffff::2'),
  ]],
  ['IPv4 host and port pairs', hostPortChain, (n) => [
    tcp4(chainHost(0), '192.0.2.1', chainPort(0), 2),
    tcp4('192.0.2.1', chainHost(n - 1), 2, chainPort(n - 1)),
    tcp4(chainHost(0), '192.0.2.1', chainPort(1), 2),
    tcp4(chainHost(n), '192.0.2.1', chainPort(n), 2),
  ]],
];

let harness: PacketHarness;
beforeAll(() => {
  harness = new PacketHarness(bpfNative);
});
afterAll(() => harness.close());

describe.each(CHAINS)('the longest chain of %s', (name, chain, packetsFor) => {
  let n: number;
  beforeAll(() => {
    n = largestFitting(chain);
  });

  it('loads and keeps libpcap verdicts', async () => {
    const expr = chain(n);
    const blocks = compilePacketFilter(expr, pcapCompile);
    const insns = blocks.l2.length / INSN_SIZE;
    expect(insns).toBeGreaterThan(MAX_FILTER_INSNS * 0.98);
    expect(insns).toBeLessThanOrEqual(MAX_FILTER_INSNS);

    const packets = packetsFor(n);
    await harness.setPackets(packets);
    const started = Date.now();
    const loaded = await harness.load(blocks.l2, blocks.l3);
    const loadMs = Date.now() - started;
    try {
      const cbpf = pcapCompile(expr, LinkType.EN10MB, PCAP_SNAPLEN, true);
      const expected = packets.map((p) => bpfNative.pcapFilter(cbpf, paddedView(p, 2), wireLength(p, 2)) !== 0);
      expect(expected).toContain(true);
      expect(expected).toContain(false);
      expect(packets.map((_, i) => loaded.run(i, 2) !== 0)).toEqual(expected);
    } finally {
      loaded.close();
    }
    console.log(`${name}: ${n} terms, ${insns} eBPF instructions (L2), verified and loaded in ${loadMs} ms`);
  });

  it('is refused one term further', () => {
    expect(() => compilePacketFilter(chain(n + 1), pcapCompile)).toThrow(
      expect.objectContaining({ message: 'Filter exceeds the maximum allowed size.' }),
    );
  });
});
