import { be16, concat, ethernet, ETH_IPV4, ETH_MACSEC, ETH_VLAN, icmp, ipv4, macsecTag, vlanTag } from './test-support/frames';
import { print, printLinkLayer, TRUNCATED } from './test-support/print';

const ip = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, icmp(8, 0));
const IP = '10.0.0.1 > 10.0.0.2 tos 0x0 ttl 64 id 1 off 0 len 28 proto ICMP (1) type 8 code 0';
const ETH = '02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype 802.1AE MACsec (0x88e5)';
const sci = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x00, 0x01];

function frame(tag: number[], payload: Uint8Array | number[]): Buffer {
  return ethernet({ type: ETH_MACSEC }, concat(tag, payload));
}

describe('MACsec', () => {
  it('prints the SecTAG with -e, then the protected frame', () => {
    const data = frame(macsecTag({ an: 1, pn: 42, flags: 'S', sci }), concat(be16(ETH_IPV4), ip));
    expect(printLinkLayer(data)).toBe(`${ETH} an 1 pn 42 flags [SI] sci 0x5254001234560001 ${IP}`);
  });

  it('prints only the protected frame without -e', () => {
    const data = frame(macsecTag({ an: 1, pn: 42, flags: 'S', sci }), concat(be16(ETH_IPV4), ip));
    expect(print(data)).toBe(IP);
  });

  it('prints the short length when set and all flags', () => {
    const data = frame(macsecTag({ an: 3, pn: 4000000000, flags: 'ECSB', shortLength: 46, sci }), [0xde, 0xad]);
    expect(printLinkLayer(data)).toBe(`${ETH} an 3 pn 4000000000 flags [ECSBI] sl 46 sci 0x5254001234560001`);
  });

  it('stops at an encrypted payload, naming the frame without -e', () => {
    const data = frame(macsecTag({ an: 0, pn: 7, flags: 'E' }), [0x12, 0x34, 0x56]);
    expect(printLinkLayer(data)).toBe(`${ETH} an 0 pn 7 flags [E]`);
    expect(print(data)).toBe('802.1AE MACsec frame');
  });

  it('stops at a changed payload', () => {
    const data = frame(macsecTag({ an: 0, pn: 7, flags: 'C' }), concat(be16(ETH_IPV4), ip));
    expect(printLinkLayer(data)).toBe(`${ETH} an 0 pn 7 flags [C]`);
    expect(print(data)).toBe('802.1AE MACsec frame');
  });

  it('walks VLAN tags inside the protected frame', () => {
    const data = frame(macsecTag({ an: 0, pn: 1 }), concat(be16(ETH_VLAN), vlanTag({ vid: 12, type: ETH_IPV4 }), ip));
    expect(printLinkLayer(data)).toBe(`${ETH} an 0 pn 1 flags [] vlan 12 p 0 ethertype IPv4 (0x0800) ${IP}`);
  });

  it('reports a SecTAG cut short', () => {
    const withSci = frame(macsecTag({ an: 0, pn: 1, sci }), concat(be16(ETH_IPV4), ip));
    expect(printLinkLayer(withSci.subarray(0, 14 + 10))).toBe(`${ETH} ${TRUNCATED}`);
    expect(print(withSci.subarray(0, 14 + 5))).toBe(TRUNCATED);
  });

  it('reports a protected ethertype cut short', () => {
    const data = frame(macsecTag({ an: 0, pn: 1 }), concat(be16(ETH_IPV4), ip));
    expect(printLinkLayer(data.subarray(0, 14 + 6 + 1))).toBe(`${ETH} an 0 pn 1 flags []${TRUNCATED}`);
  });
});
