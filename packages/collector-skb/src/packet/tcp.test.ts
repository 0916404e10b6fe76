import { be16, be32, ethernet, ETH_IPV4, ipv4, tcp, TcpFields } from './test-support/frames';
import { print, TRUNCATED } from './test-support/print';

const HEAD = '10.1.1.1.1234 > 10.1.1.2.80 tos 0x0 ttl 64 id 1 off 0';

function segment(fields: Partial<TcpFields>, payload: number[] = []): Buffer {
  return ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.1.1.1', dst: '10.1.1.2', proto: 6 }, tcp({ sport: 1234, dport: 80, ...fields }, payload)));
}

/** The TCP part only: what follows ` proto TCP (6)`. */
function tcpText(fields: Partial<TcpFields>, payload: number[] = []): string {
  const text = print(segment(fields, payload));
  return text.slice(text.indexOf(' proto TCP (6)') + ' proto TCP (6)'.length);
}

describe('TCP', () => {
  it('prints the whole line of a SYN', () => {
    expect(print(segment({ flags: 'S', seq: 123456789, window: 64240 }))).toBe(
      `${HEAD} len 40 proto TCP (6) flags [S] seq 123456789 win 64240`,
    );
  });

  it.each([
    ['F', '[F]'], ['S', '[S]'], ['R', '[R]'], ['P', '[P]'], ['.', '[.]'], ['U', '[U]'], ['E', '[E]'], ['W', '[W]'],
    ['e', '[e]'], ['', '[]'], ['FSRP.UEWe', '[FSRP.UEWe]'],
  ])('prints flags %j as %s', (flags, text) => {
    expect(tcpText({ flags })).toContain(` flags ${text} seq `);
  });

  it('prints the acknowledgment number only with ACK', () => {
    expect(tcpText({ flags: 'S.', seq: 1, ack: 4000000000, window: 10 })).toBe(' flags [S.] seq 1 ack 4000000000 win 10');
    expect(tcpText({ flags: 'S', seq: 1, ack: 4000000000, window: 10 })).toBe(' flags [S] seq 1 win 10');
  });

  it('prints the sequence range covered by the payload', () => {
    expect(tcpText({ flags: 'P.', seq: 1000, ack: 1, window: 501 }, Array<number>(100).fill(0x61))).toBe(
      ' flags [P.] seq 1000:1100 ack 1 win 501',
    );
  });

  it('wraps the end of the range at 2^32', () => {
    expect(tcpText({ flags: '.', seq: 4294967290, ack: 5 }, Array<number>(10).fill(0))).toBe(
      ' flags [.] seq 4294967290:4 ack 5 win 0',
    );
  });

  it('takes the range from the IP length when the capture stops in the payload', () => {
    const data = segment({ flags: 'P.', seq: 1000, ack: 1, window: 501 }, Array<number>(100).fill(0x61));
    expect(print(data.subarray(0, 14 + 20 + 20 + 10))).toBe(`${HEAD} len 140 proto TCP (6) flags [P.] seq 1000:1100 ack 1 win 501`);
  });

  describe('options', () => {
    const opts = (options: number[]): string => tcpText({ flags: 'S', options });

    it('prints the usual SYN options in order', () => {
      const options = [2, 4, ...be16(1460), 4, 2, 8, 10, ...be32(3000), ...be32(0), 1, 3, 3, 7];
      expect(opts(options)).toBe(' flags [S] seq 0 win 0 [mss 1460,sackOK,TS val 3000 ecr 0,nop,wscale 7]');
    });

    it('prints SACK blocks', () => {
      const options = [1, 1, 5, 18, ...be32(100), ...be32(200), ...be32(300), ...be32(400)];
      expect(opts(options)).toContain(' [nop,nop,sack 2 {100:200}{300:400}]');
    });

    it('flags a SACK length that is not a whole number of blocks', () => {
      expect(opts([5, 7, 0, 0, 0, 0, 0, 1])).toContain(' [sack invalid,nop]');
    });

    it.each([
      [6, 'echo'], [7, 'echoreply'], [11, 'cc'], [12, 'ccnew'], [13, 'ccecho'],
    ])('prints the 32-bit value of option %i (%s)', (kind, name) => {
      expect(opts([kind, 6, ...be32(77), 1, 1])).toContain(` [${name} 77,nop,nop]`);
    });

    it.each([
      [19, 'md5'], [20, 'scps'], [28, 'uto'], [29, 'tcp-ao'], [30, 'mptcp'], [254, 'exp'], [99, '?'],
    ])('names option %i %s without its data', (kind, name) => {
      expect(opts([kind, 4, 0xaa, 0xbb])).toContain(` [${name}]`);
    });

    it('prints a fast-open cookie request and cookie', () => {
      expect(opts([34, 2, 1, 1])).toContain(' [tfo cookiereq,nop,nop]');
      expect(opts([34, 10, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 1, 1])).toContain(
        ' [tfo cookie 0123456789abcdef,nop,nop]',
      );
    });

    it('lists every end-of-list byte', () => {
      expect(opts([2, 4, ...be16(536), 3, 3, 2, 0])).toContain(' [mss 536,wscale 2,eol]');
      expect(opts([2, 4, ...be16(536), 0, 0, 0, 0])).toContain(' [mss 536,eol,eol,eol,eol]');
    });

    it('reports options cut by the capture after listing what it has', () => {
      const data = segment({ flags: 'S', options: [2, 4, ...be16(1460), 4, 2, 1, 1] });
      expect(print(data.subarray(0, 14 + 20 + 20 + 6))).toBe(
        `${HEAD} len 48 proto TCP (6) flags [S] seq 0 win 0 [mss 1460,sackOK]${TRUNCATED}`,
      );
    });

    it.each([
      [[1, 1, 8, 10, ...be32(5), ...be32(6)], 10, 'nop,nop,TS'],
      [[2, 4, ...be16(1460), 1, 1, 1, 1], 3, 'mss'],
      [[3, 3, 7, 1], 2, 'wscale'],
      [[6, 6, ...be32(77), 1, 1], 5, 'echo'],
      [[5, 18, ...be32(1), ...be32(2), ...be32(3), ...be32(4), 1, 1], 15, 'sack 2 {1:2}'],
    ])('leaves out the values of an option cut by the capture (%j, %i bytes)', (options, kept, text) => {
      const data = segment({ flags: 'S', options });
      expect(print(data.subarray(0, 14 + 20 + 20 + kept))).toBe(
        `${HEAD} len ${40 + options.length} proto TCP (6) flags [S] seq 0 win 0 [${text}]${TRUNCATED}`,
      );
    });

    it('prints hex pairs for the captured part of a fast-open cookie', () => {
      const data = segment({ flags: 'S', options: [34, 6, 0xab, 0xcd, 0xef, 0x01, 1, 1] });
      expect(print(data.subarray(0, 14 + 20 + 20 + 4))).toBe(
        `${HEAD} len 48 proto TCP (6) flags [S] seq 0 win 0 [tfo cookie abcd????]${TRUNCATED}`,
      );
    });

    it('reports announced options missing from the segment', () => {
      const data = segment({ flags: 'S', headerLength: 24 });
      expect(print(data)).toBe(`${HEAD} len 40 proto TCP (6) flags [S] seq 0 win 0 []${TRUNCATED}`);
    });
  });

  it('reports a header shorter than 20 bytes, without ports', () => {
    expect(print(segment({ flags: 'S' }).subarray(0, 14 + 20 + 19))).toBe(
      `10.1.1.1 > 10.1.1.2 tos 0x0 ttl 64 id 1 off 0 len 40 proto TCP (6)${TRUNCATED}`,
    );
  });

  it('counts a short payload in the range', () => {
    expect(print(segment({ flags: 'P.', seq: 1 }, [0x47, 0x45, 0x54]))).toBe(
      `${HEAD} len 43 proto TCP (6) flags [P.] seq 1:4 ack 0 win 0`,
    );
  });
});
