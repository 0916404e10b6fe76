import { ah, esp, ethernet, ETH_IPV4, icmp, ipv4, tcp } from './test-support/frames';
import { notSupported, print, TRUNCATED } from './test-support/print';

const HEAD = '203.0.113.5 > 203.0.113.6 tos 0x0 ttl 64 id 1 off 0';

function overIpv4(proto: number, payload: Uint8Array): Buffer {
  return ethernet({ type: ETH_IPV4 }, ipv4({ src: '203.0.113.5', dst: '203.0.113.6', proto }, payload));
}

describe('ESP', () => {
  it('prints SPI and sequence number and stops', () => {
    expect(print(overIpv4(50, esp({ spi: 0xc0ffee, seq: 0x1a2b })))).toBe(
      `${HEAD} len 32 proto ESP (50) spi 0x00c0ffee seq 0x1a2b`,
    );
  });

  it('reports a header shorter than 8 bytes', () => {
    expect(print(overIpv4(50, esp({ spi: 1, seq: 1 }, []).subarray(0, 7)))).toBe(`${HEAD} len 27 proto ESP (50)${TRUNCATED}`);
  });
});

describe('AH', () => {
  const icv = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc];

  it('prints SPI, sequence, ICV and the protected protocol, then dissects it', () => {
    const data = overIpv4(51, ah({ nextHeader: 1, spi: 0x100, seq: 5, icv }, icmp(8, 0)));
    expect(print(data)).toBe(
      `${HEAD} len 52 proto AH (51) spi 0x00000100 seq 0x5 icv 0x112233445566778899aabbcc proto ICMP (1) type 8 code 0`,
    );
  });

  it('gives TCP the length left after the AH header', () => {
    const data = overIpv4(51, ah({ nextHeader: 6, spi: 1, seq: 1, icv }, tcp({ sport: 1, dport: 2, seq: 10, flags: 'P' }, [1, 2, 3, 4, 5])));
    expect(print(data)).toBe(
      `${HEAD} len 69 proto AH (51) spi 0x00000001 seq 0x1 icv 0x112233445566778899aabbcc proto TCP (6) flags [P] seq 10:15 win 0`,
    );
  });

  it('stops on a protected protocol it does not dissect', () => {
    const data = overIpv4(51, ah({ nextHeader: 47, spi: 1, seq: 1, icv: [] }, [0, 0, 8, 0]));
    expect(print(data)).toBe(`${HEAD} len 36 proto AH (51) spi 0x00000001 seq 0x1 icv 0x proto GRE (47)${notSupported('protocol 0x2f')}`);
  });

  it('reads no ICV when the length field is below the fixed header', () => {
    const data = overIpv4(51, ah({ nextHeader: 1, spi: 2, seq: 3, icv: [], lengthField: 0 }, icmp(8, 0)));
    expect(print(data)).toBe(`${HEAD} len 40 proto AH (51) spi 0x00000002 seq 0x3 icv 0x proto ICMP (1) type 8 code 0`);
  });

  it('reports an ICV cut by the capture', () => {
    const data = overIpv4(51, ah({ nextHeader: 1, spi: 2, seq: 3, icv }, icmp(8, 0)));
    expect(print(data.subarray(0, 14 + 20 + 16))).toBe(
      `${HEAD} len 52 proto AH (51) spi 0x00000002 seq 0x3 icv 0x11223344 proto ICMP (1)${TRUNCATED}`,
    );
  });

  it('reports a header shorter than 12 bytes', () => {
    const data = overIpv4(51, ah({ nextHeader: 1, spi: 2, seq: 3, icv }, icmp(8, 0)));
    expect(print(data.subarray(0, 14 + 20 + 11))).toBe(`${HEAD} len 52 proto AH (51)${TRUNCATED}`);
  });
});
