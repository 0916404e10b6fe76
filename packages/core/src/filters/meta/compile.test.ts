/**
 * compileMetaFilter end to end on the kernel BTF: bad filters give one
 * clear, one-line error each; good ones give a block for the placeholder.
 */
import { bpfNative, type Btf } from '@retis/bpf-native';
import { RetisErrorCode } from '../../errors';
import { MAX_FILTER_INSNS } from '../assembler';
import { decode, INSN_SIZE, isExit } from '../insn';
import { compileMetaFilter } from './compile';
import { MetaFilterError } from './errors';

let btf: Btf;
beforeAll(() => {
  btf = bpfNative.loadBtf();
});
afterAll(() => btf.close());

const chain = (terms: number): string => Array.from({ length: terms }, (_, i) => `sk_buff.mark == ${i}`).join(' or ');

describe('compileMetaFilter', () => {
  it('makes a block with no exit', () => {
    const block = compileMetaFilter('sk_buff.dev.name == "eth0" and sk_buff.len > 60', btf);
    expect(block.length % INSN_SIZE).toBe(0);
    expect(decode(block).some(isExit)).toBe(false);
  });

  it.each([
    ['a syntax error', 'sk_buff.mark === 1', "meta filter: unexpected character '=' at column 16"],
    ['a missing operand', 'sk_buff.mark == and', "meta filter: expected a number or a quoted string after '==', got 'and' at column 17"],
    ['an unknown field', 'sk_buff.dev.nam == "eth0"', "meta filter: no member 'nam' in struct net_device"],
    ['an unknown field at the root', 'sk_buff.marc == 1', "meta filter: no member 'marc' in struct sk_buff"],
    ['a string compared with <', 'sk_buff.dev.name < "eth0"', 'meta filter: sk_buff.dev.name is a string: only == and != apply to strings, not <'],
    ['a number against a string member', 'sk_buff.dev.name == 42', 'meta filter: sk_buff.dev.name is a string: compare it with == or != and a quoted string, not the number 42'],
    ['a string against a number member', "sk_buff.mark == 'eth0'", 'meta filter: sk_buff.mark is a number and cannot be compared with the string "eth0"'],
    ['a string too long', `sk_buff.cb == "${'x'.repeat(32)}"`, `meta filter: string "${'x'.repeat(32)}" is too long: 32 bytes, at most 31`],
    ['a negative number for an unsigned member', 'sk_buff.len > -1', 'meta filter: sk_buff.len is unsigned and cannot be compared with -1'],
    ['the second term', 'sk_buff.len > 1 and sk_buff.nope == 1', "meta filter: no member 'nope' in struct sk_buff"],
  ])('%s', (_what, filter, message) => {
    let error: unknown;
    try {
      compileMetaFilter(filter, btf);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetaFilterError);
    expect(error).toMatchObject({ message, code: RetisErrorCode.Filter });
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses a filter past the size limit', () => {
    const terms = Math.ceil(MAX_FILTER_INSNS / 8);
    expect(() => compileMetaFilter(chain(terms), btf)).toThrow(
      new MetaFilterError('Filter exceeds the maximum allowed size.'),
    );
  });
});
