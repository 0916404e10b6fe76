import { ipv4Text, ipv6Text } from './address';

const v6 = (hex: string) => ipv6Text(Buffer.from(hex.padStart(32, '0'), 'hex'), 0);

describe('address text', () => {
  it('prints IPv4 at an offset', () => {
    expect(ipv4Text(Buffer.from([0, 0, 192, 0, 2, 254]), 2)).toBe('192.0.2.254');
  });

  it('prints IPv6 as Rust does (RFC 5952)', () => {
    expect(v6('')).toBe('::');
    expect(v6('1')).toBe('::1');
    expect(v6('20010db8000000000000000000000001')).toBe('2001:db8::1');
    // A lone zero group stays; the longest run wins, the first one on a tie.
    expect(v6('20010db8000000010001000100010001')).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6('20010000000000010000000000000001')).toBe('2001:0:0:1::1');
    expect(v6('20010000000000010000000000010001')).toBe('2001::1:0:0:1:1');
    expect(v6('fe80000000000000abcdef0123456789')).toBe('fe80::abcd:ef01:2345:6789');
    expect(v6('00000000000000000000ffffc0000201')).toBe('::ffff:192.0.2.1');
  });
});
