import { concat, ethernet, ETH_IPV4, icmp, ipv4, Ipv4Fields, tcp, udp } from './test-support/frames';
import { notSupported, print, printLinkLayer, TRUNCATED } from './test-support/print';

const base = { src: '192.0.2.1', dst: '198.51.100.7' };

function v4(fields: Partial<Ipv4Fields> & { proto: number }, payload: Uint8Array | number[] = []): Buffer {
  return ethernet({ type: ETH_IPV4 }, ipv4({ ...base, ...fields }, payload));
}

const ICMP_ECHO = icmp(8, 0);

describe('IPv4', () => {
  it('prints addresses, tos, ttl, id, offset, length and protocol', () => {
    expect(print(v4({ proto: 1, ttl: 17, id: 54321 }, ICMP_ECHO))).toBe(
      '192.0.2.1 > 198.51.100.7 tos 0x0 ttl 17 id 54321 off 0 len 28 proto ICMP (1) type 8 code 0',
    );
  });

  it('prints the DSCP as tos', () => {
    expect(print(v4({ proto: 1, dscp: 46 }, ICMP_ECHO))).toContain(' tos 0x2e ttl ');
  });

  it.each([
    [0, ' tos 0x0 ttl '],
    [1, ' tos 0x0 ECT(1) ttl '],
    [2, ' tos 0x0 ECT(0) ttl '],
    [3, ' tos 0x0 CE ttl '],
  ])('marks ECN codepoint %i', (ecn, text) => {
    expect(print(v4({ proto: 1, ecn }, ICMP_ECHO))).toContain(text);
  });

  it.each([
    [{}, ' off 0 len 28 '],
    [{ df: true }, ' off 0 [DF] len 28 '],
    [{ mf: true }, ' off 0 [+] len 28 '],
    [{ reserved: true }, ' off 0 [rsvd] len 28 '],
    [{ mf: true, df: true, reserved: true }, ' off 0 [+,DF,rsvd] len 28 '],
    [{ df: true, reserved: true }, ' off 0 [DF,rsvd] len 28 '],
  ])('prints fragmentation flags %j', (flags, text) => {
    expect(print(v4({ proto: 1, ...flags }, ICMP_ECHO))).toContain(text);
  });

  it('does not read a transport header in a non-first fragment', () => {
    const data = v4({ proto: 17, mf: true, fragOffset: 1480 }, [0x12, 0x34, 0x56, 0x78, 0, 20, 0, 0, 1, 2, 3, 4]);
    expect(print(data)).toBe('192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 1480 [+] len 32 proto UDP (17)');
  });

  it('omits an unset total length, leaving no payload to dissect', () => {
    expect(print(v4({ proto: 1, totalLength: 0 }, ICMP_ECHO))).toBe(
      `192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 proto ICMP (1)${TRUNCATED}`,
    );
  });

  it('bounds the payload by the total length, not the capture', () => {
    // Ethernet padding after a short datagram is not part of it.
    const frame = concat(v4({ proto: 17 }, udp({ sport: 53, dport: 5353 }, [1, 2])), Array<number>(16).fill(0));
    expect(print(frame)).toBe('192.0.2.1.53 > 198.51.100.7.5353 tos 0x0 ttl 64 id 1 off 0 len 30 proto UDP (17) len 2');
  });

  describe('options', () => {
    it('lists options by number', () => {
      // NOP, then Record Route (type 7, length 7, pointer 4, one empty slot).
      const options = [0x01, 0x07, 0x07, 0x04, 0, 0, 0, 0];
      expect(print(v4({ proto: 1, options }, ICMP_ECHO))).toBe(
        '192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 36 opts [Ipv4OptionNumber(1),Ipv4OptionNumber(7)] proto ICMP (1) type 8 code 0',
      );
    });

    it('uses the low five bits of the type (Router Alert, 0x94, is 20)', () => {
      expect(print(v4({ proto: 1, options: [0x94, 0x04, 0, 0] }, ICMP_ECHO))).toContain(
        ' len 32 opts [Ipv4OptionNumber(20)] proto ICMP (1)',
      );
    });

    it('shows an end of list that follows options, and nothing after it', () => {
      const options = [0x94, 0x04, 0, 0, 0x00, 0x01, 0x01, 0x01];
      expect(print(v4({ proto: 1, options }, ICMP_ECHO))).toContain(
        ' opts [Ipv4OptionNumber(20),Ipv4OptionNumber(0)] proto ',
      );
    });

    it('treats an end of list in first position as padding', () => {
      expect(print(v4({ proto: 1, options: [0, 0, 0, 0] }, ICMP_ECHO))).toBe(
        '192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 32 proto ICMP (1) type 8 code 0',
      );
    });
  });

  describe('transport', () => {
    it('adds ports for TCP', () => {
      expect(print(v4({ proto: 6 }, tcp({ sport: 40000, dport: 443, flags: 'S', seq: 7, window: 1024 })))).toBe(
        '192.0.2.1.40000 > 198.51.100.7.443 tos 0x0 ttl 64 id 1 off 0 len 40 proto TCP (6) flags [S] seq 7 win 1024',
      );
    });

    it('adds ports for UDP', () => {
      expect(print(v4({ proto: 17 }, udp({ sport: 5353, dport: 53 }, [0, 0, 0, 0])))).toBe(
        '192.0.2.1.5353 > 198.51.100.7.53 tos 0x0 ttl 64 id 1 off 0 len 32 proto UDP (17) len 4',
      );
    });

    it('prints ICMP type and code', () => {
      expect(print(v4({ proto: 1 }, icmp(3, 13)))).toBe(
        '192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 28 proto ICMP (1) type 3 code 13',
      );
    });

    it.each([
      [2, 'IGMP'], [4, 'IPIP'], [27, 'RDP'], [33, 'DCCP'], [41, 'IPv6'], [47, 'GRE'], [89, 'OSPF'],
      [112, 'VRRP'], [115, 'L2TP'], [143, 'Ethernet'],
    ])('names protocol %i %s and stops there', (proto, name) => {
      expect(print(v4({ proto }, [0, 0, 0, 0, 0, 0, 0, 0]))).toBe(
        `192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 28 proto ${name} (${proto})` +
          notSupported(`protocol 0x${proto.toString(16)}`),
      );
    });

    it('prints an unnamed protocol by number only', () => {
      expect(print(v4({ proto: 253 }, [0, 0, 0, 0]))).toBe(
        `192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 24 proto (253)${notSupported('protocol 0xfd')}`,
      );
    });
  });

  describe('truncation', () => {
    const full = v4({ proto: 17 }, udp({ sport: 1, dport: 2 }, [9, 9]));

    it('reports a header shorter than 20 bytes', () => {
      expect(print(full.subarray(0, 14 + 19))).toBe(TRUNCATED);
      expect(printLinkLayer(full.subarray(0, 14 + 19))).toBe(
        `02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype IPv4 (0x0800) ${TRUNCATED}`,
      );
    });

    it('reports a transport header cut short, without ports', () => {
      expect(print(full.subarray(0, 14 + 20 + 7))).toBe(
        `192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 30 proto UDP (17)${TRUNCATED}`,
      );
    });

    it('lists the options captured of a cut header, then reports the missing payload', () => {
      const data = v4({ proto: 1, options: [0x01, 0x07, 0x07, 0x04, 0, 0, 0, 0] }, ICMP_ECHO);
      expect(print(data.subarray(0, 14 + 21))).toBe(
        `192.0.2.1 > 198.51.100.7 tos 0x0 ttl 64 id 1 off 0 len 36 opts [Ipv4OptionNumber(1)] proto ICMP (1)${TRUNCATED}`,
      );
    });
  });
});
