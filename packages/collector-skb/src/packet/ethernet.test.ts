import { concat, ethernet, ETH_IPV4, ETH_IPV6, ETH_QINQ, ETH_VLAN, icmp, ipv4, ipv6, vlanTag } from './test-support/frames';
import { notSupported, print, printLinkLayer, TRUNCATED } from './test-support/print';

const ping = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, icmp(8, 0));
const PING = '10.0.0.1 > 10.0.0.2 tos 0x0 ttl 64 id 1 off 0 len 28 proto ICMP (1) type 8 code 0';
const macs = { src: '52:54:00:ab:cd:01', dst: 'ff:ee:dd:cc:bb:aa' };

describe('Ethernet', () => {
  it('prints source and destination MACs and the ethertype with -e', () => {
    expect(printLinkLayer(ethernet({ ...macs, type: ETH_IPV4 }, ping))).toBe(
      `52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype IPv4 (0x0800) ${PING}`,
    );
  });

  it('starts at the network layer without -e', () => {
    expect(print(ethernet({ ...macs, type: ETH_IPV4 }, ping))).toBe(PING);
  });

  it('shows the all-zero header written when the kernel had no MAC header', () => {
    const fake = ethernet({ src: '00:00:00:00:00:00', dst: '00:00:00:00:00:00', type: ETH_IPV4 }, ping);
    expect(printLinkLayer(fake)).toBe(`00:00:00:00:00:00 > 00:00:00:00:00:00 ethertype IPv4 (0x0800) ${PING}`);
    expect(print(fake)).toBe(PING);
  });

  it.each([
    [0x0800, 'IPv4'], [0x0806, 'ARP'], [0x6558, 'TEB'], [0x8035, 'Reverse ARP'], [0x809b, 'Appletalk'],
    [0x80f3, 'Appletalk ARP'], [0x86dd, 'IPv6'], [0x880b, 'PPP'], [0x8847, 'MPLS unicast'],
    [0x8848, 'MPLS multicast'], [0x8863, 'PPPoE D'], [0x8864, 'PPPoE S'], [0x888e, 'EAPOL'],
    [0x88e5, '802.1AE MACsec'], [0x88f7, 'PTP'],
  ])('names ethertype %#x %s', (type, name) => {
    const hex = type.toString(16).padStart(4, '0');
    expect(printLinkLayer(ethernet({ ...macs, type }))).toMatch(
      new RegExp(`^52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype ${name} \\(0x${hex}\\) `),
    );
  });

  it('stops on a named ethertype it does not dissect, after the header with -e', () => {
    const ppp = ethernet({ ...macs, type: 0x880b }, [0xc0, 0x21, 1, 1]);
    expect(printLinkLayer(ppp)).toBe(
      `52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype PPP (0x880b) ${notSupported('ethertype 0x880b')}`,
    );
    expect(print(ppp)).toBe(notSupported('ethertype 0x880b'));
  });

  it('prints nothing of a frame whose ethertype has no name, even with -e', () => {
    const lldp = ethernet({ ...macs, type: 0x88cc }, [2, 7, 4]);
    expect(printLinkLayer(lldp)).toBe(notSupported('ethertype 0x88cc'));
    expect(print(lldp)).toBe(notSupported('ethertype 0x88cc'));
  });

  it('reports a header shorter than 14 bytes as truncated', () => {
    const frame = ethernet({ ...macs, type: ETH_IPV4 }, ping);
    expect(print(frame.subarray(0, 13))).toBe(TRUNCATED);
    expect(printLinkLayer(frame.subarray(0, 13))).toBe(TRUNCATED);
    expect(print(new Uint8Array(0))).toBe(TRUNCATED);
  });

  it('reports an ethertype without its payload as truncated after the header', () => {
    const frame = ethernet({ ...macs, type: ETH_IPV4 });
    expect(printLinkLayer(frame)).toBe(`52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype IPv4 (0x0800) ${TRUNCATED}`);
    expect(print(frame)).toBe(TRUNCATED);
  });
});

describe('VLAN', () => {
  it('prints id, priority, DEI and the inner ethertype with -e', () => {
    const frame = ethernet({ ...macs, type: ETH_VLAN }, concat(vlanTag({ vid: 100, pcp: 3, dei: true, type: ETH_IPV4 }), ping));
    expect(printLinkLayer(frame)).toBe(
      `52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype 802.1Q (0x8100) vlan 100 p 3 DEI ethertype IPv4 (0x0800) ${PING}`,
    );
  });

  it('is skipped without -e', () => {
    const frame = ethernet({ ...macs, type: ETH_VLAN }, concat(vlanTag({ vid: 100, pcp: 3, type: ETH_IPV4 }), ping));
    expect(print(frame)).toBe(PING);
  });

  it('walks stacked 802.1ad and 802.1Q tags', () => {
    const inner = ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: 58 }, icmp(128, 0));
    const frame = ethernet(
      { ...macs, type: ETH_QINQ },
      concat(vlanTag({ vid: 10, type: ETH_VLAN }), vlanTag({ vid: 4095, pcp: 7, type: ETH_IPV6 }), inner),
    );
    const l3 = 'fd00::1 > fd00::2 ttl 64 label 0x0 len 8 proto ICMPv6 (58) type 128 code 0';
    expect(printLinkLayer(frame)).toBe(
      '52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype 802.1Q-QinQ (0x88a8) vlan 10 p 0 ethertype 802.1Q (0x8100)' +
        ` vlan 4095 p 7 ethertype IPv6 (0x86dd) ${l3}`,
    );
    expect(print(frame)).toBe(l3);
  });

  it('walks 0x9100 tags', () => {
    const frame = ethernet({ ...macs, type: 0x9100 }, concat(vlanTag({ vid: 7, type: ETH_IPV4 }), ping));
    expect(printLinkLayer(frame)).toBe(
      `52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype 802.1Q-9100 (0x9100) vlan 7 p 0 ethertype IPv4 (0x0800) ${PING}`,
    );
  });

  it('prints an unnamed inner ethertype by number, then stops', () => {
    const frame = ethernet({ ...macs, type: ETH_VLAN }, concat(vlanTag({ vid: 5, type: 0x88cc }), [2, 7, 4]));
    expect(printLinkLayer(frame)).toBe(
      `52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype 802.1Q (0x8100) vlan 5 p 0 ethertype (0x88cc) ${notSupported('ethertype 0x88cc')}`,
    );
    expect(print(frame)).toBe(notSupported('ethertype 0x88cc'));
  });

  it('reports a tag shorter than 4 bytes as truncated', () => {
    const frame = ethernet({ ...macs, type: ETH_VLAN }, [0x00, 0x64, 0x08]);
    expect(printLinkLayer(frame)).toBe(`52:54:00:ab:cd:01 > ff:ee:dd:cc:bb:aa ethertype 802.1Q (0x8100)${TRUNCATED}`);
    expect(print(frame)).toBe(TRUNCATED);
  });
});
