import {
  ethernet, ETH_IPV4, ETH_IPV6, geneve, geneveOption, icmp, ipv4, ipv6, udp, vxlan,
} from './test-support/frames';
import { notSupported, print, printLinkLayer, TRUNCATED } from './test-support/print';

const innerIp = ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 1, df: true }, icmp(0, 0));
const INNER = '172.16.0.1 > 172.16.0.2 tos 0x0 ttl 64 id 1 off 0 [DF] len 28 proto ICMP (1) type 0 code 0';
const innerFrame = ethernet({ src: '0a:00:00:00:00:01', dst: '0a:00:00:00:00:02', type: ETH_IPV4 }, innerIp);
const INNER_LL = `0a:00:00:00:00:01 > 0a:00:00:00:00:02 ethertype IPv4 (0x0800) ${INNER}`;
const OUTER_LL = '02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype IPv4 (0x0800) ';

function overUdp(dport: number, payload: Uint8Array): Buffer {
  return ethernet(
    { type: ETH_IPV4 },
    ipv4({ src: '192.168.0.1', dst: '192.168.0.2', proto: 17, id: 9 }, udp({ sport: 33000, dport }, payload)),
  );
}

function outer(dport: number, udpLen: number): string {
  return `192.168.0.1.33000 > 192.168.0.2.${dport} tos 0x0 ttl 64 id 9 off 0 len ${udpLen + 28} proto UDP (17) len ${udpLen}`;
}

describe('UDP', () => {
  it('prints the payload length', () => {
    expect(print(overUdp(53, new Uint8Array(12)))).toBe(outer(53, 12));
  });

  it('prints 0 for a length field below the header size', () => {
    const data = ethernet({ type: ETH_IPV4 }, ipv4({ src: '192.168.0.1', dst: '192.168.0.2', proto: 17, id: 9 }, udp({ sport: 33000, dport: 53, length: 5 })));
    expect(print(data)).toBe('192.168.0.1.33000 > 192.168.0.2.53 tos 0x0 ttl 64 id 9 off 0 len 28 proto UDP (17) len 0');
  });
});

describe('VXLAN', () => {
  const packet = vxlan({ vni: 0x2a }, innerFrame);

  it.each([4789, 8472])('is recognised on port %i and followed by the inner frame', (port) => {
    expect(print(overUdp(port, packet))).toBe(`${outer(port, packet.length)} vxlan [I] vni 0x2a ${INNER}`);
  });

  it('shows the inner MAC header with -e', () => {
    expect(printLinkLayer(overUdp(4789, packet))).toBe(
      `${OUTER_LL}${outer(4789, packet.length)} vxlan [I] vni 0x2a ${INNER_LL}`,
    );
  });

  it('leaves the flags empty when the VNI is not marked valid', () => {
    const p = vxlan({ vni: 0xabcdef, validVni: false }, innerFrame);
    expect(print(overUdp(4789, p))).toBe(`${outer(4789, p.length)} vxlan [] vni 0xabcdef ${INNER}`);
  });

  it('reports a header shorter than 8 bytes', () => {
    const p = packet.subarray(0, 7);
    expect(print(overUdp(4789, p))).toBe(`${outer(4789, 7)}${TRUNCATED}`);
  });

  it('reports an inner frame cut short', () => {
    const p = packet.subarray(0, 8 + 10);
    expect(print(overUdp(4789, p))).toBe(`${outer(4789, 18)} vxlan [I] vni 0x2a ${TRUNCATED}`);
  });
});

describe('Geneve', () => {
  it('carries an Ethernet frame (TEB)', () => {
    const p = geneve({ vni: 1, proto: 0x6558 }, innerFrame);
    expect(print(overUdp(6081, p))).toBe(`${outer(6081, p.length)} geneve [] vni 0x1 ${INNER}`);
    expect(printLinkLayer(overUdp(6081, p))).toBe(
      `${OUTER_LL}${outer(6081, p.length)} geneve [] vni 0x1 proto TEB (0x6558) ${INNER_LL}`,
    );
  });

  it('carries an IP packet directly', () => {
    const p = geneve({ vni: 0x10203, proto: ETH_IPV4, oam: true, critical: true }, innerIp);
    expect(print(overUdp(6081, p))).toBe(`${outer(6081, p.length)} geneve [OC] vni 0x10203 ${INNER}`);
    expect(printLinkLayer(overUdp(6081, p))).toBe(
      `${OUTER_LL}${outer(6081, p.length)} geneve [OC] vni 0x10203 proto IPv4 (0x0800) ${INNER}`,
    );
  });

  it('lists its options', () => {
    const options = [
      ...geneveOption({ optClass: 0x0102, type: 0x80, data: [1, 2, 3, 4] }),
      ...geneveOption({ optClass: 0xffff, type: 0x05 }),
    ];
    const inner6 = ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: 58 }, icmp(129, 0));
    const p = geneve({ vni: 7, proto: ETH_IPV6, options }, inner6);
    expect(print(overUdp(6081, p))).toBe(
      `${outer(6081, p.length)} geneve [] vni 0x7 [class 0x102 type 0x80(C) len 8,class 0xffff type 0x5 len 4]` +
        ' fd00::1 > fd00::2 ttl 64 label 0x0 len 8 proto ICMPv6 (58) type 129 code 0',
    );
  });

  it('names an unknown protocol by number with -e, then stops', () => {
    const p = geneve({ vni: 1, proto: 0x1234 }, [0, 0, 0, 0]);
    expect(printLinkLayer(overUdp(6081, p))).toBe(
      `${OUTER_LL}${outer(6081, p.length)} geneve [] vni 0x1 proto (0x1234) ${notSupported('ethertype 0x1234')}`,
    );
    expect(print(overUdp(6081, p))).toBe(`${outer(6081, p.length)} geneve [] vni 0x1 ${notSupported('ethertype 0x1234')}`);
  });

  it('reports a header shorter than 8 bytes', () => {
    const p = geneve({ vni: 1, proto: 0x6558 }, innerFrame).subarray(0, 6);
    expect(print(overUdp(6081, p))).toBe(`${outer(6081, 6)}${TRUNCATED}`);
  });

  it('reports options cut by the capture after listing what it has', () => {
    const options = [...geneveOption({ optClass: 1, type: 2 }), ...geneveOption({ optClass: 3, type: 4, data: [0, 0, 0, 0] })];
    const p = geneve({ vni: 1, proto: 0x6558, options }, innerFrame).subarray(0, 8 + 4 + 6);
    expect(print(overUdp(6081, p))).toBe(`${outer(6081, 18)} geneve [] vni 0x1 [class 0x1 type 0x2 len 4,class 0x3 type 0x4 len 8]${TRUNCATED}`);
  });
});
