import { arp, ethernet, ETH_ARP } from './test-support/frames';
import { notSupported, print, printLinkLayer, TRUNCATED } from './test-support/print';

const A = { mac: '02:00:00:00:00:0a', ip: '192.168.1.10' };
const B = { mac: '02:00:00:00:00:0b', ip: '192.168.1.11' };
const ZERO = '00:00:00:00:00:00';

function frame(op: number, sha: string, spa: string, tha: string, tpa: string): Buffer {
  return ethernet({ src: sha, dst: 'ff:ff:ff:ff:ff:ff', type: ETH_ARP }, arp({ op, sha, spa, tha, tpa }));
}

describe('ARP', () => {
  it('prints a request', () => {
    expect(print(frame(1, A.mac, A.ip, ZERO, B.ip))).toBe('request who-has 192.168.1.11 tell 192.168.1.10');
  });

  it('adds the target MAC of a request when it is set', () => {
    expect(print(frame(1, A.mac, A.ip, B.mac, B.ip))).toBe(
      'request who-has 192.168.1.11 (02:00:00:00:00:0b) tell 192.168.1.10',
    );
  });

  it('prints a reply', () => {
    expect(print(frame(2, B.mac, B.ip, A.mac, A.ip))).toBe('reply 192.168.1.11 is-at 02:00:00:00:00:0b');
  });

  it('prints a reverse request', () => {
    expect(print(frame(3, A.mac, '0.0.0.0', A.mac, '0.0.0.0'))).toBe(
      'reverse request who-is 02:00:00:00:00:0a tell 02:00:00:00:00:0a',
    );
  });

  it('prints a reverse reply', () => {
    expect(print(frame(4, B.mac, B.ip, A.mac, A.ip))).toBe('reverse reply 02:00:00:00:00:0a at 192.168.1.10');
  });

  it('follows the link layer with -e', () => {
    expect(printLinkLayer(frame(1, A.mac, A.ip, ZERO, B.ip))).toBe(
      '02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff ethertype ARP (0x0806) request who-has 192.168.1.11 tell 192.168.1.10',
    );
  });

  it('does not dissect other operations', () => {
    expect(print(frame(8, A.mac, A.ip, ZERO, B.ip))).toBe(notSupported('ARP operation 8'));
  });

  it('reports fewer than 28 bytes as truncated', () => {
    const f = frame(1, A.mac, A.ip, ZERO, B.ip);
    expect(print(f.subarray(0, 14 + 27))).toBe(TRUNCATED);
  });
});
