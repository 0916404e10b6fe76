/**
 * Path resolution on this machine's kernel BTF. Offsets that the kernel ABI
 * fixes (sk_buff starts with next, prev and dev; IFNAMSIZ is 16) are checked
 * as numbers; the others are checked end to end by codegen.test.ts, where
 * clang lays out the fake objects from the same BTF.
 */
import { bpfNative, type Btf } from '@retis/bpf-native';
import type { Term } from './ast';
import { parseMetaFilter } from './parser';
import { resolveTerm } from './resolver';

let btf: Btf;
beforeAll(() => {
  btf = bpfNative.loadBtf();
});
afterAll(() => btf.close());

const resolve = (text: string): ReturnType<typeof resolveTerm> => resolveTerm(btf, parseMetaFilter(text) as Term);

/** Byte offset of `member` in `struct name`, searching anonymous members, from the BTF directly. */
function offsetOf(name: string, member: string): number {
  const search = (typeId: number, base: number): number | undefined => {
    let t = btf.type(typeId);
    while (t.kind === 'typedef') t = btf.type(t.typeId as number);
    for (const m of t.members ?? []) {
      if (m.name === member) return (base + m.bitOffset) / 8;
      if (m.name === '') {
        const found = search(m.typeId, base + m.bitOffset);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const found = search(btf.findByName(name, 'struct'), 0);
  if (found === undefined) throw new Error(`no ${member} in struct ${name}`);
  return found;
}

describe('resolveTerm on the kernel BTF', () => {
  it('finds a member inside the anonymous unions of sk_buff', () => {
    expect(resolve('sk_buff.mark == 1')).toEqual({
      steps: [],
      leaf: { kind: 'number', offset: offsetOf('sk_buff', 'mark'), size: 4, signed: false },
    });
  });

  it('follows the dev pointer (third pointer of sk_buff) to a char[IFNAMSIZ]', () => {
    expect(resolve('sk_buff.dev.name == "lo"')).toEqual({
      steps: [{ offset: 16 }],
      leaf: { kind: 'string', offset: offsetOf('net_device', 'name'), storage: { kind: 'array', capacity: 16 } },
    });
  });

  it('follows two pointers', () => {
    const r = resolve('sk_buff.dev.nd_net.net.ns.inum == 4026531840');
    expect(r.steps).toHaveLength(2);
    expect(r.steps[0]).toEqual({ offset: 16 });
    expect(r.leaf).toMatchObject({ kind: 'number', size: 4, signed: false });
  });

  it('reads signed members as signed, through typedefs', () => {
    expect(resolve('sk_buff.skb_iif == -1').leaf).toMatchObject({ size: 4, signed: true });
    // ktime_t is a typedef of s64.
    expect(resolve('sk_buff.tstamp < 0').leaf).toMatchObject({ size: 8, signed: true });
    expect(resolve('sk_buff.dev.ifindex > 0').leaf).toMatchObject({ size: 4, signed: true });
  });

  it('describes bitfields by the bytes spanning them', () => {
    const leaf = resolve('sk_buff.pkt_type == 0').leaf;
    expect(leaf).toMatchObject({ kind: 'number', size: 1, signed: false, bitfield: { bits: 3 } });
    // pkt_type starts the byte after the zero-length marker that names its offset.
    expect(leaf).toMatchObject({ offset: offsetOf('sk_buff', '__pkt_type_offset'), bitfield: { shift: 0 } });
    expect(resolve('sk_buff.l4_hash').leaf).toMatchObject({ size: 1, bitfield: { bits: 1 } });
  });

  it('reads enums with their size and signedness', () => {
    const leaf = resolve('sk_buff._skb_refdst:0xffffffffffffffff:bpf_reg_state.type == 1').leaf;
    expect(leaf).toMatchObject({ kind: 'number', size: 4, signed: false });
  });

  it('masks and casts a pointer-sized integer', () => {
    expect(resolve('sk_buff._nfct:~0x7:nf_conn.mark == 1')).toEqual({
      steps: [{ offset: offsetOf('sk_buff', '_nfct'), mask: 0xfffffffffffffff8n }],
      leaf: { kind: 'number', offset: offsetOf('nf_conn', 'mark'), size: 4, signed: false },
    });
  });

  it('masks an unsigned leaf', () => {
    expect(resolve('sk_buff.mark:0xff == 0x2a').leaf).toMatchObject({ mask: 0xffn });
  });

  it('keeps offsets of embedded structs and resets them after a pointer', () => {
    // struct sk_buff_head is embedded in struct sock, after which the path follows sk.
    const r = resolve('sk_buff.sk.sk_receive_queue.qlen == 0');
    expect(r.steps).toEqual([{ offset: offsetOf('sk_buff', 'sk') }]);
    expect(r.leaf).toMatchObject({ offset: offsetOf('sock', 'sk_receive_queue') + offsetOf('sk_buff_head', 'qlen') });
  });

  it('compares char pointers as strings', () => {
    expect(resolve('sk_buff.head == "x"').leaf).toEqual({
      kind: 'string',
      offset: offsetOf('sk_buff', 'head'),
      storage: { kind: 'pointer' },
    });
  });

  it('tests pointers against NULL', () => {
    const address = { kind: 'number', offset: 16, size: 8, signed: false };
    expect(resolve('sk_buff.dev').leaf).toEqual(address);
    expect(resolve('sk_buff.dev == 0').leaf).toEqual(address);
    expect(resolve('sk_buff.dev != 0x0').leaf).toEqual(address);
    expect(resolve('sk_buff.data == 0').leaf).toMatchObject({ kind: 'number', size: 8 });
  });

  it.each([
    ['sk_buff.nam == 1', "meta filter: no member 'nam' in struct sk_buff"],
    ['sk_buff.dev.nam == "x"', "meta filter: no member 'nam' in struct net_device"],
    ['sk_buff.mark.x == 1', "meta filter: cannot look up 'x': sk_buff.mark is __u32, not a struct or union"],
    ['sk_buff.mark == "eth0"', 'meta filter: sk_buff.mark is a number and cannot be compared with the string "eth0"'],
    ['sk_buff.dev == "eth0"', 'meta filter: cannot compare sk_buff.dev: it points to struct net_device, not to a string'],
    ['sk_buff.dev == 1', 'meta filter: cannot compare sk_buff.dev: it is a pointer to struct net_device: only a NULL test applies (== 0, != 0 or the member alone)'],
    ['sk_buff.dev > 0', 'only a NULL test applies'],
    ['sk_buff.dev:0xff', 'meta filter: cannot mask sk_buff.dev:0xff: only a NULL test applies to it'],
    ['sk_buff.cb == 1', 'meta filter: sk_buff.cb is a string: compare it with == or != and a quoted string, not the number 1'],
    ['sk_buff.cb', 'meta filter: sk_buff.cb is a string: compare it with == or != and a quoted string, not nothing'],
    ['sk_buff.dev.name < "eth0"', 'meta filter: sk_buff.dev.name is a string: only == and != apply to strings, not <'],
    ['sk_buff.mark == -1', 'meta filter: sk_buff.mark is unsigned and cannot be compared with -1'],
    ['sk_buff.skb_iif:0xff == 1', 'meta filter: cannot mask sk_buff.skb_iif:0xff: masks apply to pointers and unsigned numbers only'],
    ['sk_buff.headers:0xff.mark == 1', 'meta filter: cannot mask sk_buff.headers:0xff: masks apply to pointers and unsigned numbers only'],
    ['sk_buff.mark:0xff:nf_conn.mark == 1', 'meta filter: cannot cast sk_buff.mark:0xff:nf_conn: it is __u32; only pointers and 64-bit integers can be cast'],
    ['sk_buff._nfct:~0x7:nf_con.mark == 1', "meta filter: cannot cast sk_buff._nfct:~0x7:nf_con: no struct, union or typedef named 'nf_con'"],
    ['sk_buff._nfct:~0x7:u32.x == 1', "meta filter: cannot cast sk_buff._nfct:~0x7:u32: 'u32' is unsigned int, not a struct or union"],
    ['sk_buff._nfct:~0x7:nf_conn == 1', "meta filter: sk_buff._nfct:~0x7:nf_conn casts the last member: a cast must be followed by a member of 'nf_conn'"],
    ['sk_buff.headers == 1', 'meta filter: cannot compare sk_buff.headers: it is struct (anonymous); compare one of its members'],
    ['sk_buff.dev.pcpu_refcnt == 1', 'meta filter: cannot compare sk_buff.dev.pcpu_refcnt: it is a pointer to int: only a NULL test applies'],
    ['sk_buff.dev.name == "0123456789abcdef0123456789abcdef"', 'meta filter: string "0123456789abcdef0123456789abcdef" is too long: 32 bytes, at most 31'],
    ['sk_buff.dev.name:0xff == "x"', 'meta filter: cannot mask sk_buff.dev.name:0xff: it is a string'],
    ['sk_buff.dev.name == "0123456789abcdefg"', 'meta filter: string "0123456789abcdefg" is longer than sk_buff.dev.name (char[16]) can hold'],
  ])('%s', (text, message) => {
    expect(() => resolve(text)).toThrow(message);
  });
});
