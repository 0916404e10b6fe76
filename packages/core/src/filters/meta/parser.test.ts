import type { MetaExpr, Term } from './ast';
import { pathText } from './ast';
import { tokenize } from './lexer';
import { parseMetaFilter } from './parser';

/** The tree as a compact string: terms as `path op rhs`, groups in brackets. */
function show(e: MetaExpr): string {
  if (e.kind !== 'term') return `[${show(e.left)} ${e.kind} ${show(e.right)}]`;
  const rhs = e.rhs.kind === 'string' ? JSON.stringify(e.rhs.value) : e.rhs.value.toString();
  return e.implicit ? `${pathText(e.path)}?` : `${pathText(e.path)} ${e.op} ${rhs}`;
}

const term = (text: string): Term => {
  const e = parseMetaFilter(text);
  if (e.kind !== 'term') throw new Error(`not a single term: ${text}`);
  return e;
};

describe('meta filter lexer', () => {
  it('splits names, numbers, strings, operators and punctuation, with 1-based columns', () => {
    expect(tokenize("sk_buff.dev.name == 'eth0'&&(x)").map((t) => [t.kind, t.text, t.column])).toEqual([
      ['ident', 'sk_buff', 1],
      ['.', '.', 8],
      ['ident', 'dev', 9],
      ['.', '.', 12],
      ['ident', 'name', 13],
      ['op', '==', 18],
      ['string', 'eth0', 21],
      ['bool', '&&', 27],
      ['(', '(', 29],
      ['ident', 'x', 30],
      [')', ')', 31],
      ['end', '', 32],
    ]);
  });

  it('separates tokens by spaces and tabs only', () => {
    expect(tokenize('a\tb').map((t) => t.kind)).toEqual(['ident', 'ident', 'end']);
    expect(() => tokenize('a\nb')).toThrow("meta filter: unexpected character '\n' at column 2");
  });

  it.each([
    ['sk_buff.mark = 1', "meta filter: unexpected character '=' at column 14"],
    ['sk_buff.mark ! 1', "meta filter: unexpected character '!' at column 14"],
    ['sk_buff.mark & 1', "meta filter: unexpected character '&' at column 14"],
    ['sk_buff.dev.name == "eth0', 'meta filter: unterminated string starting at column 21'],
    ["sk_buff.dev.name == ''", 'meta filter: empty string at column 21'],
  ])('rejects %j', (text, message) => {
    expect(() => tokenize(text)).toThrow(message);
  });
});

describe('meta filter parser', () => {
  describe('terms', () => {
    it.each([
      ['sk_buff.mark == 42', 'sk_buff.mark == 42'],
      ['sk_buff.mark != 0x2a', 'sk_buff.mark != 42'],
      ['sk_buff.mark > 0b101010', 'sk_buff.mark > 42'],
      ['sk_buff.len >= 1', 'sk_buff.len >= 1'],
      ['sk_buff.len < 1', 'sk_buff.len < 1'],
      ['sk_buff.len <= 1', 'sk_buff.len <= 1'],
      ['sk_buff.skb_iif == -1', 'sk_buff.skb_iif == -1'],
      ['sk_buff.dev.name == "eth0"', 'sk_buff.dev.name == "eth0"'],
      ["sk_buff.dev.name != 'a \"b\"'", 'sk_buff.dev.name != "a \\"b\\""'],
      ['sk_buff . dev . ifindex  ==  3', 'sk_buff.dev.ifindex == 3'],
      ['sk_buff.l4_hash', 'sk_buff.l4_hash?'],
    ])('%s', (text, expected) => {
      expect(show(parseMetaFilter(text))).toBe(expected);
    });

    it('reads a bare path as `!= 0`', () => {
      const t = term('sk_buff.mark');
      expect([t.implicit, t.op, t.rhs]).toEqual([true, '!=', { kind: 'number', value: 0n, text: '0', column: 1 }]);
    });

    it('keeps 64-bit values exactly', () => {
      expect(term('sk_buff.tstamp == 0xffffffffffffffff').rhs).toMatchObject({ value: (1n << 64n) - 1n });
      expect(term('sk_buff.tstamp == -9223372036854775808').rhs).toMatchObject({ value: -(1n << 63n) });
      expect(term('sk_buff.tstamp == 18446744073709551615').rhs).toMatchObject({ value: (1n << 64n) - 1n });
    });

    it('reads masks in hex, binary and decimal, and their complement', () => {
      expect(term('sk_buff.mark:0xff == 1').path[0]).toMatchObject({ name: 'mark', mask: 0xffn, maskText: '0xff' });
      expect(term('sk_buff.mark:0b11').path[0].mask).toBe(3n);
      expect(term('sk_buff.mark:12').path[0].mask).toBe(12n);
      expect(term('sk_buff._nfct:~0x7:nf_conn.mark').path[0]).toEqual({
        name: '_nfct',
        mask: 0xfffffffffffffff8n,
        maskText: '~0x7',
        cast: 'nf_conn',
        column: 9,
      });
    });

    it('ignores empty path elements, as the reference grammar does', () => {
      expect(term('sk_buff..mark.').path.map((e) => e.name)).toEqual(['mark']);
    });

    it('allows digits in member names', () => {
      expect(term('sk_buff.l4_hash == 1').path[0].name).toBe('l4_hash');
    });
  });

  describe('and / or', () => {
    it.each([
      ['sk_buff.a and sk_buff.b', '[sk_buff.a? and sk_buff.b?]'],
      ['sk_buff.a && sk_buff.b', '[sk_buff.a? and sk_buff.b?]'],
      ['sk_buff.a or sk_buff.b', '[sk_buff.a? or sk_buff.b?]'],
      ['sk_buff.a || sk_buff.b', '[sk_buff.a? or sk_buff.b?]'],
      // Same precedence, from the left.
      ['sk_buff.a or sk_buff.b and sk_buff.c', '[[sk_buff.a? or sk_buff.b?] and sk_buff.c?]'],
      ['sk_buff.a and sk_buff.b or sk_buff.c', '[[sk_buff.a? and sk_buff.b?] or sk_buff.c?]'],
      ['sk_buff.a or sk_buff.b or sk_buff.c', '[[sk_buff.a? or sk_buff.b?] or sk_buff.c?]'],
      // Parentheses group.
      ['sk_buff.a or (sk_buff.b and sk_buff.c)', '[sk_buff.a? or [sk_buff.b? and sk_buff.c?]]'],
      ['((sk_buff.a))', 'sk_buff.a?'],
      ['(sk_buff.a == 1)and(sk_buff.b == 2)', '[sk_buff.a == 1 and sk_buff.b == 2]'],
      // `and` and `or` are names after a dot.
      ['sk_buff.and or sk_buff.or', '[sk_buff.and? or sk_buff.or?]'],
    ])('%s', (text, expected) => {
      expect(show(parseMetaFilter(text))).toBe(expected);
    });
  });

  describe('errors name the position and the offending token', () => {
    it.each([
      ['', 'meta filter: the filter is empty'],
      ['   ', 'meta filter: the filter is empty'],
      ['dev.mark == 1', "meta filter: unexpected 'dev' at column 1, expected a term starting with 'sk_buff' or '('"],
      ['sk_buff', "meta filter: expected '.' and a member after 'sk_buff' at column 1"],
      ['sk_buff.', "meta filter: 'sk_buff' at column 1 must be followed by a member, e.g. sk_buff.mark"],
      ['sk_buff.mark ==', "meta filter: expected a number or a quoted string after '==', got end of the filter"],
      ['sk_buff.mark == sk_buff.len', "meta filter: expected a number or a quoted string after '==', got 'sk_buff' at column 17"],
      ['sk_buff.mark 5', "meta filter: unexpected '5' at column 14, expected a comparison (==, !=, <, <=, >, >=), 'and', 'or' or the end of the filter"],
      ['sk_buff.mark == 1 2', "meta filter: unexpected '2' at column 19, expected 'and', 'or' or the end of the filter"],
      ['sk_buff.mark == 1 and', "meta filter: unexpected end of the filter, expected a term starting with 'sk_buff' or '('"],
      ['(sk_buff.mark == 1', "meta filter: unexpected end of the filter, expected ')' to close the '(' at column 1"],
      ['sk_buff.mark == 1)', "meta filter: unexpected ')' at column 18, expected 'and', 'or' or the end of the filter"],
      ['sk_buff.mark == 0x', "meta filter: invalid number '0x' at column 17"],
      ['sk_buff.mark == 0b12', "meta filter: invalid number '0b12' at column 17"],
      ['sk_buff.mark == 12ab', "meta filter: invalid number '12ab' at column 17"],
      ['sk_buff.mark == -0x1', "meta filter: invalid number '-0x1' at column 17"],
      ['sk_buff.mark == 0x10000000000000000', "meta filter: number '0x10000000000000000' at column 17 does not fit in 64 bits"],
      ['sk_buff.mark == -9223372036854775809', "meta filter: number '-9223372036854775809' at column 17 does not fit in 64 bits"],
      ['sk_buff.mark: == 1', "meta filter: expected a mask after 'mark:', got '==' at column 15"],
      ['sk_buff.mark:-1', "meta filter: invalid mask '-1' at column 14"],
      ['sk_buff.mark:0', "meta filter: mask of 'mark' at column 14 must be greater than 0"],
      ['sk_buff.mark:~0xffffffffffffffff', "meta filter: mask of 'mark' at column 15 must be greater than 0"],
      ['sk_buff._nfct:0xf:', "meta filter: expected a type name after the mask of '_nfct', got end of the filter"],
      ['sk_buff.mark == dummy0', "meta filter: expected a number or a quoted string after '==', got 'dummy0' at column 17"],
    ])('%j', (text, message) => {
      expect(() => parseMetaFilter(text)).toThrow(message);
    });
  });
});
