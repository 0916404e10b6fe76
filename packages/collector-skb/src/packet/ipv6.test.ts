import { concat, esp, ethernet, ETH_IPV6, icmp, ipv6, Ipv6Fields, ipv6Ext, tcp, udp } from './test-support/frames';
import { notSupported, print, TRUNCATED } from './test-support/print';

const base = { src: '2001:db8::1', dst: '2001:db8:0:1::2' };

function v6(fields: Partial<Ipv6Fields> & { nextHeader: number }, payload: Uint8Array | number[] = []): Buffer {
  return ethernet({ type: ETH_IPV6 }, ipv6({ ...base, ...fields }, payload));
}

const ECHO = icmp(128, 0);
const HOPOPT = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const DSTOPTS = 60;
const NO_NEXT = 59;

describe('IPv6', () => {
  it('prints addresses, hop limit, label, length and protocol', () => {
    expect(print(v6({ nextHeader: 58, hopLimit: 255, flowLabel: 0xabcde }, ECHO))).toBe(
      '2001:db8::1 > 2001:db8:0:1::2 ttl 255 label 0xabcde len 8 proto ICMPv6 (58) type 128 code 0',
    );
  });

  it.each([
    [0xb8, ''],
    [0xb9, ' ECT(1)'],
    [0x02, ' ECT(0)'],
    [0x03, ' CE'],
  ])('marks the ECN bits of traffic class %#x', (trafficClass, text) => {
    expect(print(v6({ nextHeader: 58, trafficClass }, ECHO))).toContain(`2001:db8:0:1::2${text} ttl 64 `);
  });

  it('adds ports for TCP and UDP', () => {
    expect(print(v6({ nextHeader: 17 }, udp({ sport: 546, dport: 547 }, [1, 2, 3])))).toBe(
      '2001:db8::1.546 > 2001:db8:0:1::2.547 ttl 64 label 0x0 len 11 proto UDP (17) len 3',
    );
    expect(print(v6({ nextHeader: 6 }, tcp({ sport: 22, dport: 50000, flags: 'R' })))).toBe(
      '2001:db8::1.22 > 2001:db8:0:1::2.50000 ttl 64 label 0x0 len 20 proto TCP (6) flags [R] seq 0 win 0',
    );
  });

  it('omits an unset payload length, leaving no payload to dissect', () => {
    expect(print(v6({ nextHeader: 58, payloadLength: 0 }, ECHO))).toBe(
      `2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0 proto ICMPv6 (58)${TRUNCATED}`,
    );
  });

  describe('extension headers', () => {
    it('lists them and dissects the transport behind them, ports included', () => {
      const payload = concat(ipv6Ext(FRAGMENT), ipv6Ext(17, [0, 0, 0, 0, 0, 7]), udp({ sport: 1000, dport: 2000 }, [1, 2, 3, 4]));
      expect(print(v6({ nextHeader: HOPOPT }, payload))).toBe(
        '2001:db8::1.1000 > 2001:db8:0:1::2.2000 ttl 64 label 0x0 len 28 exts [Hopopt,Ipv6Frag] proto UDP (17) len 4',
      );
    });

    it('skips multi-unit extensions by their length', () => {
      // A routing header of 24 bytes (length field 2).
      const payload = concat(ipv6Ext(58, Array<number>(22).fill(0)), ECHO);
      expect(print(v6({ nextHeader: ROUTING }, payload))).toBe(
        '2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0 len 32 exts [Ipv6Route] proto ICMPv6 (58) type 128 code 0',
      );
    });

    it.each([
      [DSTOPTS, 'Ipv6Opts'], [135, 'MobilityHeader'], [139, 'Hip'], [140, 'Shim6'], [253, 'Test1'], [254, 'Test2'],
    ])('names extension %i %s', (nh, name) => {
      expect(print(v6({ nextHeader: nh }, concat(ipv6Ext(58), ECHO)))).toContain(
        ` len 16 exts [${name}] proto ICMPv6 (58) type 128 code 0`,
      );
    });

    it('stops after the header when there is no next header', () => {
      expect(print(v6({ nextHeader: NO_NEXT }))).toBe('2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0');
      expect(print(v6({ nextHeader: DSTOPTS }, ipv6Ext(NO_NEXT)))).toBe(
        '2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0 len 8 exts [Ipv6Opts]',
      );
    });

    it('reports an extension cut by the capture', () => {
      const data = v6({ nextHeader: HOPOPT }, concat(ipv6Ext(58, Array<number>(14).fill(0)), ECHO));
      expect(print(data.subarray(0, 14 + 40 + 10))).toBe(
        `2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0 len 24 exts [Hopopt]${TRUNCATED}`,
      );
    });
  });

  it('dissects ESP as a protocol, not an extension', () => {
    expect(print(v6({ nextHeader: 50 }, esp({ spi: 0x1234, seq: 1 })))).toBe(
      '2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0 len 12 proto ESP (50) spi 0x00001234 seq 0x1',
    );
  });

  it('stops on a protocol it does not dissect', () => {
    expect(print(v6({ nextHeader: 47 }, [0, 0, 0x08, 0]))).toBe(
      `2001:db8::1 > 2001:db8:0:1::2 ttl 64 label 0x0 len 4 proto GRE (47)${notSupported('protocol 0x2f')}`,
    );
  });

  it('reports a header shorter than 40 bytes', () => {
    expect(print(v6({ nextHeader: 58 }, ECHO).subarray(0, 14 + 39))).toBe(TRUNCATED);
  });
});
