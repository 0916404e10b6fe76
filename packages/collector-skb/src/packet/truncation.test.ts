/**
 * Whole-packet robustness: every prefix of a deeply layered packet, and
 * random bytes behind every dissected ethertype, give text and never throw.
 */
import { be32, concat, ethernet, ETH_IPV4, ETH_IPV6, ETH_VLAN, ipv4, ipv6, ipv6Ext, tcp, udp, vlanTag, vxlan } from './test-support/frames';
import { print, printLinkLayer, TRUNCATED } from './test-support/print';

// Ethernet, VLAN, IPv4, UDP, VXLAN, Ethernet, IPv6, hop-by-hop, TCP with options, payload.
const innerTcp = tcp(
  { sport: 443, dport: 51000, seq: 1, ack: 2, flags: 'P.', window: 9, options: [1, 1, 8, 10, ...be32(5), ...be32(6)] },
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
);
const inner = ethernet(
  { type: ETH_IPV6 },
  ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: 0 }, concat(ipv6Ext(6), innerTcp)),
);
const packet = ethernet(
  { type: ETH_VLAN },
  concat(
    vlanTag({ vid: 3, type: ETH_IPV4 }),
    ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 40000, dport: 4789 }, vxlan({ vni: 5 }, inner))),
  ),
);
/** Where the last header (the TCP options) ends. */
const HEADERS_END = 14 + 4 + 20 + 8 + 8 + 14 + 40 + 8 + 32;

const FULL =
  '10.0.0.1.40000 > 10.0.0.2.4789 tos 0x0 ttl 64 id 1 off 0 len 140 proto UDP (17) len 112 vxlan [I] vni 0x5 ' +
  'fd00::1.443 > fd00::2.51000 ttl 64 label 0x0 len 50 exts [Hopopt] proto TCP (6) flags [P.] seq 1:11 ack 2 win 9 ' +
  '[nop,nop,TS val 5 ecr 6]';

describe('truncation at every byte', () => {
  it('the full packet prints every layer', () => {
    expect(packet.length).toBe(HEADERS_END + 10);
    expect(print(packet)).toBe(FULL);
  });

  it.each(Array.from({ length: HEADERS_END }, (_, len) => len))('cut after %i bytes is reported as truncated', (len) => {
    const cut = packet.subarray(0, len);
    expect(print(cut).endsWith(TRUNCATED)).toBe(true);
    expect(printLinkLayer(cut).endsWith(TRUNCATED)).toBe(true);
  });

  it('a cut in the payload loses nothing', () => {
    for (let len = HEADERS_END; len <= packet.length; len++) expect(print(packet.subarray(0, len))).toBe(FULL);
  });
});

describe('random bytes', () => {
  // Deterministic generator so that a failure can be replayed.
  let seed = 0x1234567;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };

  it.each([0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x88e5])('behind ethertype %#x never break the text', (type) => {
    for (let i = 0; i < 500; i++) {
      const body = Uint8Array.from({ length: next() % 200 }, () => next() & 0xff);
      // Make IP headers look like IP so that dissection goes deep.
      if (body.length > 0 && type === 0x0800) body[0] = 0x45;
      if (body.length > 0 && type === 0x86dd) body[0] = 0x60;
      const data = ethernet({ type }, body);
      for (const text of [print(data), printLinkLayer(data)]) {
        expect(text).not.toMatch(/undefined|NaN|[ :(]-\d/);
      }
    }
  });
});

describe('successive calls', () => {
  it('do not carry text or errors over', () => {
    const good = ethernet({ type: ETH_IPV4 }, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', proto: 17 }, udp({ sport: 1, dport: 2 })));
    const expected = '1.2.3.4.1 > 5.6.7.8.2 tos 0x0 ttl 64 id 1 off 0 len 28 proto UDP (17) len 0';
    expect(print(good)).toBe(expected);
    expect(print(good.subarray(0, 20))).toBe(TRUNCATED);
    expect(printLinkLayer(ethernet({ type: 0x1234 }))).toBe("... (ethertype 0x1234 not supported, use 'retis pcap')");
    expect(print(good)).toBe(expected);
  });
});
