/**
 * Meta filters compiled against this kernel's BTF and run by the kernel on a
 * fake sk_buff (test-support/meta-harness.ts): each verdict is checked
 * against the values written into the fake objects.
 */
import { bpfNative, type Btf } from '@retis/bpf-native';
import { MAX_FILTER_INSNS } from '../assembler';
import { decode, JmpOp, Reg } from '../insn';
import { FILTER_MATCH } from '../placeholders';
import { LoadedMetaFilter, MetaHarness, type MetaInputs } from '../test-support/meta-harness';
import { Rng } from '../test-support/packet-corpus';
import { compileMetaFilter } from './compile';

let btf: Btf;
let harness: MetaHarness;
beforeAll(() => {
  btf = bpfNative.loadBtf();
  harness = new MetaHarness(bpfNative);
});
afterAll(() => btf.close());

async function withFilter<T>(filter: string, body: (f: LoadedMetaFilter) => T): Promise<T> {
  const loaded = await harness.load(compileMetaFilter(filter, btf));
  try {
    return body(loaded);
  } finally {
    loaded.close();
  }
}

/** The verdicts of `filter` on each input set. */
async function verdicts(filter: string, inputs: MetaInputs[]): Promise<boolean[]> {
  return withFilter(filter, (f) =>
    inputs.map((i) => {
      const r0 = f.run(i);
      if (r0 !== 0 && r0 !== FILTER_MATCH) throw new Error(`${filter}: r0 = ${r0}`);
      return r0 === FILTER_MATCH;
    }),
  );
}

type Case = [filter: string, inputs: MetaInputs, expected: boolean];

const DEV = { has_dev: 1 };
const REG = { has_reg: 1 };
const DEPTH = 'sk_buff._skb_refdst:0xffffffffffffffff:bpf_reg_state.iter.depth';

describe('meta filters in the kernel', () => {
  describe.each<[string, Case[]]>([
    ['unsigned numbers', [
      ['sk_buff.len > 100', { len: 101 }, true],
      ['sk_buff.len > 100', { len: 100 }, false],
      ['sk_buff.len > 100', { len: 0xffffffff }, true],
      ['sk_buff.len >= 100', { len: 100 }, true],
      ['sk_buff.len >= 100', { len: 99 }, false],
      ['sk_buff.len < 100', { len: 99 }, true],
      ['sk_buff.len < 100', { len: 100 }, false],
      // The reference emits `<` for unsigned `<=`; here 100 <= 100.
      ['sk_buff.len <= 100', { len: 100 }, true],
      ['sk_buff.len <= 100', { len: 101 }, false],
      ['sk_buff.len == 1500', { len: 1500 }, true],
      ['sk_buff.len != 1500', { len: 1500 }, false],
      ['sk_buff.queue_mapping == 0xffff', { queue_mapping: 0xffff }, true],
      ['sk_buff.mark == 4294967296', { mark: 0 }, false],
      ['sk_buff.mark', { mark: 0 }, false],
      ['sk_buff.mark', { mark: 7 }, true],
    ]],
    ['64-bit values', [
      // A kernel address is above 2^63: an unsigned compare.
      ['sk_buff._nfct > 0x7fffffffffffffff', { has_nfct: 1 }, true],
      ['sk_buff._nfct > 0x7fffffffffffffff', {}, false],
      ['sk_buff.tstamp == -1', { tstamp: -1n }, true],
      ['sk_buff.tstamp == 0xffffffffffffffff', { tstamp: -1n }, true],
      ['sk_buff.tstamp < -4294967296', { tstamp: -(1n << 40n) }, true],
      ['sk_buff.tstamp < -4294967296', { tstamp: 1n << 40n }, false],
      ['sk_buff.tstamp >= -9223372036854775808', { tstamp: -(1n << 63n) }, true],
    ]],
    ['signed numbers', [
      ['sk_buff.skb_iif < 0', { skb_iif: -1 }, true],
      ['sk_buff.skb_iif < 0', { skb_iif: 1 }, false],
      ['sk_buff.skb_iif == -1', { skb_iif: -1 }, true],
      ['sk_buff.skb_iif > -2', { skb_iif: -1 }, true],
      ['sk_buff.skb_iif > -2', { skb_iif: -3 }, false],
      ['sk_buff.skb_iif <= -3', { skb_iif: -3 }, true],
      ['sk_buff.skb_iif >= -3', { skb_iif: -4 }, false],
      ['sk_buff.dev.ifindex == 3', { ...DEV, ifindex: 3 }, true],
      ['sk_buff.dev.ifindex < 0', { ...DEV, ifindex: -2147483648 }, true],
      [`sk_buff._skb_refdst:0xffffffffffffffff:bpf_reg_state.off == -7`, { ...REG, reg_off: -7 }, true],
    ]],
    ['bitfields', [
      ['sk_buff.pkt_type == 0', { pkt_type: 0, ip_summed: 3 }, true],
      ['sk_buff.pkt_type == 0', { pkt_type: 3 }, false],
      ['sk_buff.pkt_type == 7', { pkt_type: 7, ip_summed: 0 }, true],
      ['sk_buff.pkt_type > 2', { pkt_type: 3, ip_summed: 0 }, true],
      ['sk_buff.ip_summed == 3', { pkt_type: 7, ip_summed: 3 }, true],
      ['sk_buff.ip_summed == 1', { pkt_type: 7, ip_summed: 3 }, false],
      ['sk_buff.l4_hash == 1', { l4_hash: 1 }, true],
      ['sk_buff.l4_hash', { l4_hash: 0, ip_summed: 3, pkt_type: 7 }, false],
      // A signed 30-bit field spanning 4 bytes, next to a 2-bit enum field.
      [`${DEPTH} == -5`, { ...REG, iter_depth: -5, iter_state: 3 }, true],
      [`${DEPTH} == -5`, { ...REG, iter_depth: 5, iter_state: 3 }, false],
      [`${DEPTH} < -536870911`, { ...REG, iter_depth: -536870912 }, true],
      [`${DEPTH} == 536870911`, { ...REG, iter_depth: 536870911, iter_state: 3 }, true],
      ['sk_buff._skb_refdst:0xffffffffffffffff:bpf_reg_state.iter.state == 2', { ...REG, iter_depth: -1, iter_state: 2 }, true],
    ]],
    ['masks and casts', [
      ['sk_buff.mark:0xff == 0x2a', { mark: 0x12342a }, true],
      ['sk_buff.mark:0xff == 0x2a', { mark: 0x2b }, false],
      ['sk_buff.mark:~0xff == 0x1200', { mark: 0x12ff }, true],
      ['sk_buff._nfct:~0x7:nf_conn.mark == 42', { has_nfct: 1, ctinfo: 3, ctmark: 42 }, true],
      ['sk_buff._nfct:~0x7:nf_conn.mark == 42', { has_nfct: 1, ctinfo: 3, ctmark: 41 }, false],
      // Without the mask the ctinfo bits make the address wrong.
      ['sk_buff._nfct:0xffffffffffffffff:nf_conn.mark == 42', { has_nfct: 1, ctinfo: 3, ctmark: 42 }, false],
      ['sk_buff._nfct:~0x7:nf_conn.mark == 0', {}, false],
    ]],
    ['strings in arrays', [
      ['sk_buff.dev.name == "veth0"', { ...DEV, dev_name: 'veth0' }, true],
      ["sk_buff.dev.name == 'veth0'", { ...DEV, dev_name: 'veth01' }, false],
      ['sk_buff.dev.name == "veth0"', { ...DEV, dev_name: 'veth' }, false],
      ['sk_buff.dev.name == "veth0"', { ...DEV, dev_name: 'Veth0' }, false],
      ['sk_buff.dev.name != "veth0"', { ...DEV, dev_name: 'eth0' }, true],
      ['sk_buff.dev.name != "veth0"', { ...DEV, dev_name: 'veth0' }, false],
      ['sk_buff.dev.name == "0123456789abcde"', { ...DEV, dev_name: '0123456789abcde' }, true],
      // 16 bytes, no NUL: the whole array is the string.
      ['sk_buff.dev.name == "0123456789abcdef"', { ...DEV, dev_name: '0123456789abcdef' }, true],
      ['sk_buff.dev.name == "0123456789abcde"', { ...DEV, dev_name: '0123456789abcdef' }, false],
      ['sk_buff.cb == "hello"', { cb: 'hello' }, true],
      ['sk_buff.cb == "hello"', { cb: 'hello world' }, false],
      ['sk_buff.cb == "0123456789012345678901234567890"', { cb: '0123456789012345678901234567890' }, true],
    ]],
    ['strings behind pointers', [
      ['sk_buff.data == "hello"', { has_data: 1, data: 'hello' }, true],
      ['sk_buff.data == "hello"', { has_data: 1, data: 'hello!' }, false],
      ['sk_buff.data == "hello"', { has_data: 1, data: 'hell' }, false],
      ['sk_buff.data != "hello"', { has_data: 1, data: 'help' }, true],
      ['sk_buff.data == "0123456789012345678901234567890"', { has_data: 1, data: '0123456789012345678901234567890' }, true],
      ['sk_buff.data == "0123456789012345678901234567890"', { has_data: 1, data: '01234567890123456789012345678901' }, false],
    ]],
    ['pointers', [
      ['sk_buff.dev', DEV, true],
      ['sk_buff.dev', {}, false],
      ['sk_buff.dev == 0', {}, true],
      ['sk_buff.sk', {}, false],
      ['sk_buff.sk == 0', {}, true],
    ]],
    ['unreadable memory makes a term false whatever its operator', [
      ['sk_buff.sk.sk_mark == 0', {}, false],
      ['sk_buff.sk.sk_mark != 0', {}, false],
      ['sk_buff.dev.name != "veth0"', {}, false],
      ['sk_buff.data != "hello"', {}, false],
    ]],
  ])('%s', (_group, cases) => {
    it.each(cases)('%s on %j is %s', async (filter, inputs, expected) => {
      expect(await verdicts(filter, [inputs])).toEqual([expected]);
    });
  });

  describe('and / or / parentheses', () => {
    const rng = new Rng(0x3e7a);
    // Values around the thresholds below, so that every term is sometimes true and sometimes false.
    const inputs: MetaInputs[] = Array.from({ length: 64 }, () => ({
      len: rng.pick([99, 100, 101, 2000]),
      mark: rng.pick([0, 1, 2]),
      priority: rng.pick([0, 2]),
      skb_iif: rng.pick([-1, 0, 1]),
      has_dev: rng.int(2),
      dev_name: rng.pick(['eth0', 'veth0']),
    }));
    const len = (i: MetaInputs): number => i.len as number;
    const model: Array<[string, (i: MetaInputs) => boolean]> = [
      ['sk_buff.len > 100 and sk_buff.mark == 1', (i) => len(i) > 100 && i.mark === 1],
      ['sk_buff.len > 100 && sk_buff.mark == 1', (i) => len(i) > 100 && i.mark === 1],
      ['sk_buff.len > 100 or sk_buff.mark == 1', (i) => len(i) > 100 || i.mark === 1],
      ['sk_buff.len > 100 || sk_buff.mark == 1', (i) => len(i) > 100 || i.mark === 1],
      // Left to right, no precedence...
      ['sk_buff.len > 100 or sk_buff.mark == 1 and sk_buff.priority == 2', (i) => (len(i) > 100 || i.mark === 1) && i.priority === 2],
      ['sk_buff.len > 100 and sk_buff.mark == 1 or sk_buff.priority == 2', (i) => (len(i) > 100 && i.mark === 1) || i.priority === 2],
      // ...unless grouped.
      ['sk_buff.len > 100 or (sk_buff.mark == 1 and sk_buff.priority == 2)', (i) => len(i) > 100 || (i.mark === 1 && i.priority === 2)],
      ['(sk_buff.len <= 100 or sk_buff.mark) and (sk_buff.skb_iif < 0 or sk_buff.priority == 2)',
        (i) => (len(i) <= 100 || i.mark !== 0) && ((i.skb_iif as number) < 0 || i.priority === 2)],
      ['sk_buff.dev.name == "veth0" or sk_buff.len == 2000 and sk_buff.mark != 2',
        (i) => ((i.has_dev === 1 && i.dev_name === 'veth0') || len(i) === 2000) && i.mark !== 2],
      ['((sk_buff.mark == 0) or (sk_buff.mark == 1)) and ((sk_buff.len < 100))', (i) => (i.mark === 0 || i.mark === 1) && len(i) < 100],
    ];

    it.each(model)('%s', async (filter, expected) => {
      const want = inputs.map(expected);
      expect(want).toContain(true);
      expect(want).toContain(false);
      expect(await verdicts(filter, inputs)).toEqual(want);
    });
  });

  it('loads the largest filter that fits and keeps its verdicts', async () => {
    const chain = (terms: number): string => Array.from({ length: terms }, (_, i) => `sk_buff.mark == ${i + 1}`).join(' or ');
    const fits = (terms: number): boolean => {
      try {
        return compileMetaFilter(chain(terms), btf).length > 0;
      } catch (e) {
        if ((e as Error).message.endsWith('Filter exceeds the maximum allowed size.')) return false;
        throw e;
      }
    };
    let terms = 1;
    while (fits(terms * 2)) terms *= 2;
    for (let step = terms >> 1; step > 0; step >>= 1) if (fits(terms + step)) terms += step;
    const size = decode(compileMetaFilter(chain(terms), btf)).length;
    expect(size).toBeGreaterThan(MAX_FILTER_INSNS - 16);
    expect(() => compileMetaFilter(chain(terms + 1), btf)).toThrow('Filter exceeds the maximum allowed size.');
    expect(await verdicts(chain(terms), [{ mark: 1 }, { mark: terms }, { mark: terms + 1 }, { mark: 0 }])).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('short-circuits: a true left side of `or` jumps straight to the match', () => {
    const insns = decode(compileMetaFilter('sk_buff.len > 100 or sk_buff.mark == 1', btf));
    const firstCompare = insns.findIndex((i) => (i.code & 0xf0) === JmpOp.JGT && i.dst === Reg.R1);
    const target = insns[firstCompare + 1 + insns[firstCompare].off];
    expect(target).toMatchObject({ code: 0xb4, dst: Reg.R0, imm: FILTER_MATCH });
  });

  it('short-circuits: a false left side of `and` jumps straight to the no-match verdict', () => {
    const insns = decode(compileMetaFilter('sk_buff.len > 100 and sk_buff.mark == 1', btf));
    const firstCompare = insns.findIndex((i) => (i.code & 0xf0) === JmpOp.JGT && i.dst === Reg.R1);
    // The compare jumps on true; the `ja` after it is the false path.
    const falsePath = firstCompare + 1;
    const target = insns[falsePath + 1 + insns[falsePath].off];
    expect(target).toMatchObject({ code: 0xb4, dst: Reg.R0, imm: 0 });
  });
});
