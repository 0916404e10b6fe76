import { ipv6At } from './addr';
import { ip6 } from './test-support/frames';

function text(groups: number[]): string {
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return ipv6At(bytes, 0);
}

describe('IPv6 address text', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    // A lone zero group is written out.
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
    // The longest run is shortened ...
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
    // ... and the first of two equal runs.
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    [[0xfe80, 0, 0, 0, 0xabcd, 0xef01, 0x2345, 0x6789], 'fe80::abcd:ef01:2345:6789'],
  ])('%j is %s', (groups, expected) => {
    expect(text(groups)).toBe(expected);
  });

  it('keeps the dotted quad of IPv4-mapped addresses', () => {
    expect(text([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201])).toBe('::ffff:192.0.2.1');
  });

  it('reads at an offset', () => {
    const bytes = new Uint8Array([0xaa, ...ip6('fd00::42')]);
    expect(ipv6At(bytes, 1)).toBe('fd00::42');
  });
});
