import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { bpfFixture } from '../test/bpf-fixtures';
import type { Btf, BtfType } from './api';
import { BpfError, bpfNative } from './index';

// bpftool's JSON dump: an independent reading of the same BTF.
interface ToolType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  ret_type_id?: number;
  nr_elems?: number;
  nr_bits?: number;
  bits_offset?: number;
  encoding?: string;
  members?: Array<{ name: string; type_id: number; bits_offset: number; bitfield_size?: number }>;
  values?: Array<{ name: string; val: number }>;
  params?: Array<{ name: string; type_id: number }>;
}

function bpftoolTypes(path: string): Map<number, ToolType> {
  const json = execFileSync('bpftool', ['btf', 'dump', 'file', path, 'format', 'raw', '-j'], { maxBuffer: 1 << 30 });
  const types = (JSON.parse(json.toString()) as { types: ToolType[] }).types;
  return new Map(types.map((t) => [t.id, t]));
}

const name = (n: string): string => (n === '(anon)' ? '' : n);

// What our BtfType must say, according to bpftool.
function expected(t: ToolType): Partial<BtfType> {
  const out: Partial<BtfType> = { id: t.id, kind: t.kind.toLowerCase() as BtfType['kind'], name: name(t.name) };
  switch (t.kind) {
    case 'INT':
      return { ...out, size: t.size, signed: t.encoding === 'SIGNED', bits: t.nr_bits, bitOffset: t.bits_offset };
    case 'STRUCT':
    case 'UNION':
      return {
        ...out,
        size: t.size,
        members: t.members!.map((m) => ({
          name: name(m.name),
          typeId: m.type_id,
          bitOffset: m.bits_offset,
          bitfieldSize: m.bitfield_size ?? 0,
        })),
      };
    case 'ENUM':
    case 'ENUM64':
      return {
        ...out,
        size: t.size,
        // bpftool prints values as JSON numbers (and sign-extends some 32-bit
        // ones): compare those it can carry.
        values: t.values!.filter((v) => Number.isSafeInteger(v.val)).map((v) => ({ name: v.name, value: BigInt(v.val) })),
      };
    case 'ARRAY':
      return { ...out, elemTypeId: t.type_id, nelems: t.nr_elems };
    case 'FUNC_PROTO':
      return { ...out, returnTypeId: t.ret_type_id, params: t.params!.map((p) => ({ name: name(p.name), typeId: p.type_id })) };
    case 'PTR':
    case 'TYPEDEF':
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT':
    case 'FUNC':
    case 'VAR':
    case 'TYPE_TAG':
    case 'DECL_TAG':
      return { ...out, typeId: t.type_id };
    default:
      return out;
  }
}

// Our view of type `t.id`, checked against bpftool's.
function expectAsBpftool(btf: Btf, t: ToolType): BtfType {
  const got = btf.type(t.id);
  const want = expected(t);
  const compared = { ...got };
  if (want.values) {
    const names = new Set(want.values.map((v) => v.name));
    compared.values = got.values!.filter((v) => names.has(v.name));
  }
  expect(compared).toMatchObject(want);
  return got;
}

describe('BTF', () => {
  let vmlinux: Btf;
  let tool: Map<number, ToolType>;
  const byName = (kind: string, n: string): ToolType => [...tool.values()].find((t) => t.kind === kind && t.name === n)!;

  beforeAll(() => {
    vmlinux = bpfNative.loadBtf();
    tool = bpftoolTypes('/sys/kernel/btf/vmlinux');
  });
  afterAll(() => vmlinux.close());

  it('counts the types of vmlinux', () => {
    expect(vmlinux.typeCount).toBe([...tool.keys()].reduce((a, b) => Math.max(a, b)) + 1);
  });

  it('describes struct sk_buff and finds pkt_type as a 3-bit bitfield', () => {
    const id = vmlinux.findByName('sk_buff', 'struct');
    expect(id).toBe(byName('STRUCT', 'sk_buff').id);
    const skb = expectAsBpftool(vmlinux, tool.get(id)!);
    expect(skb.members!.find((m) => m.name === 'len')).toMatchObject({ bitfieldSize: 0 });

    // pkt_type sits in an anonymous struct (struct_group "headers") of an anonymous union.
    const walk = (t: BtfType): BtfType | undefined => {
      for (const m of t.members ?? []) {
        if (m.name === 'pkt_type') return t;
        if (m.name === '') {
          const inner = walk(vmlinux.type(m.typeId));
          if (inner) return inner;
        }
      }
      return undefined;
    };
    const holder = walk(skb)!;
    expectAsBpftool(vmlinux, tool.get(holder.id)!);
    const pktType = holder.members!.find((m) => m.name === 'pkt_type')!;
    expect(pktType.bitfieldSize).toBe(3);
    const u8 = vmlinux.type(pktType.typeId);
    expect(u8).toMatchObject({ kind: 'typedef', name: '__u8' });
    expect(vmlinux.type(u8.typeId!)).toMatchObject({ kind: 'int', name: 'unsigned char', bits: 8, signed: false });
  });

  it('reads enum skb_drop_reason values as bigints', () => {
    const id = vmlinux.findByName('skb_drop_reason', 'enum');
    const reasons = expectAsBpftool(vmlinux, tool.get(id)!);
    expect(reasons.enumSigned).toBe(false);
    // include/net/dropreason.h: SKB_DROP_REASON_SUBSYS_MASK = 0xffff0000
    expect(reasons.values!.find((v) => v.name === 'SKB_DROP_REASON_SUBSYS_MASK')?.value).toBe(0xffff0000n);
    expect(reasons.values!.slice(0, 3)).toEqual([
      { name: 'SKB_NOT_DROPPED_YET', value: 0n },
      { name: 'SKB_CONSUMED', value: 1n },
      { name: 'SKB_DROP_REASON_NOT_SPECIFIED', value: 2n },
    ]);
  });

  it('follows typedef btf_trace_kfree_skb to its function prototype', () => {
    const typedef = vmlinux.type(vmlinux.findByName('btf_trace_kfree_skb', 'typedef'));
    const ptr = vmlinux.type(typedef.typeId!);
    const proto = vmlinux.type(ptr.typeId!);
    expect([typedef.kind, ptr.kind, proto.kind]).toEqual(['typedef', 'ptr', 'func_proto']);
    expectAsBpftool(vmlinux, tool.get(proto.id)!);
    // (void *__data, struct sk_buff *skb, void *location, enum skb_drop_reason reason, ...)
    const skbParam = vmlinux.type(vmlinux.type(proto.params![1].typeId).typeId!);
    expect(skbParam).toMatchObject({ kind: 'struct', name: 'sk_buff' });
    expect(vmlinux.type(proto.params![3].typeId)).toMatchObject({ kind: 'enum', name: 'skb_drop_reason' });
  });

  it('agrees with bpftool on a spread of types of every kind', () => {
    const kinds = new Set<string>();
    for (const [id, t] of tool) {
      if (id % 97 !== 0 && kinds.has(t.kind)) continue;
      kinds.add(t.kind);
      expectAsBpftool(vmlinux, t);
    }
    expect(kinds).toEqual(new Set(['INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'ENUM64', 'FWD', 'TYPEDEF', 'VOLATILE',
      'CONST', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'RESTRICT'].filter((k) =>
      [...tool.values()].some((t) => t.kind === k))));
  });

  it('returns -1 for unknown names and checks arguments', () => {
    expect(vmlinux.findByName('no_such_type_anywhere')).toBe(-1);
    expect(vmlinux.findByName('sk_buff', 'union')).toBe(-1);
    expect(vmlinux.type(0)).toMatchObject({ id: 0, kind: 'unknown', name: 'void' });
    expect(() => vmlinux.findByName('sk_buff', 'klass' as 'struct')).toThrow(TypeError);
    expect(() => vmlinux.type(vmlinux.typeCount)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('reads the BTF of a BPF object file', () => {
    const path = bpfFixture('splice');
    const btf = bpfNative.loadBtf(path);
    try {
      const fileTypes = bpftoolTypes(path);
      for (const t of fileTypes.values()) expectAsBpftool(btf, t);
      // The ctx of global_tens(): struct bpf_raw_tracepoint_args { __u64 args[0]; }
      const args = btf.type(btf.findByName('bpf_raw_tracepoint_args', 'struct'));
      expect(args.members!.map((m) => [m.name, m.bitOffset])).toEqual([['args', 0]]);
      expect(btf.type(args.members![0].typeId)).toMatchObject({ kind: 'array', nelems: 0 });
      expect(btf.findByName('global_tens', 'func')).toBeGreaterThan(0);
    } finally {
      btf.close();
    }
  });

  it('loads a module-style BTF file split over vmlinux', () => {
    // A raw BTF holding one struct whose member is vmlinux's `int`: ids and
    // string offsets continue those of vmlinux, as a module's do.
    const header = readFileSync('/sys/kernel/btf/vmlinux');
    const baseStrLen = header.readUInt32LE(20);
    const baseCount = vmlinux.typeCount;
    const intId = byName('INT', 'int').id;
    const strings = Buffer.from('\0retis_split_test\0value\0');
    const types = Buffer.alloc(12 + 12);
    types.writeUInt32LE(baseStrLen + 1, 0); // name_off
    types.writeUInt32LE((4 << 24) | 1, 4); // STRUCT, vlen 1
    types.writeUInt32LE(4, 8); // size
    types.writeUInt32LE(baseStrLen + 18, 12); // member name_off
    types.writeUInt32LE(intId, 16); // member type
    types.writeUInt32LE(0, 20); // member bit offset
    const hdr = Buffer.alloc(24);
    hdr.writeUInt16LE(0xeb9f, 0);
    hdr.writeUInt8(1, 2);
    hdr.writeUInt32LE(24, 4);
    hdr.writeUInt32LE(0, 8);
    hdr.writeUInt32LE(types.length, 12);
    hdr.writeUInt32LE(types.length, 16);
    hdr.writeUInt32LE(strings.length, 20);
    const dir = mkdtempSync(join(tmpdir(), 'retis-btf-'));
    const path = join(dir, 'module.btf');
    writeFileSync(path, Buffer.concat([hdr, types, strings]));
    try {
      const btf = bpfNative.loadBtf(path) as Btf & { split: boolean };
      try {
        expect(btf.split).toBe(true);
        expect(btf.typeCount).toBe(baseCount + 1);
        expect(btf.findByName('retis_split_test', 'struct')).toBe(baseCount);
        expect(btf.type(baseCount)).toEqual({
          id: baseCount,
          kind: 'struct',
          name: 'retis_split_test',
          size: 4,
          members: [{ name: 'value', typeId: intId, bitOffset: 0, bitfieldSize: 0 }],
        });
        expect(btf.findByName('sk_buff', 'struct')).toBe(byName('STRUCT', 'sk_buff').id);
      } finally {
        btf.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws a BpfError for a file that is not BTF', () => {
    expect(() => bpfNative.loadBtf('/proc/self/status')).toThrow(BpfError);
    expect(() => bpfNative.loadBtf('/nonexistent')).toThrow(expect.objectContaining({ code: 'ENOENT', op: 'btf__parse' }));
  });

  it('refuses use after close', () => {
    const btf = bpfNative.loadBtf();
    btf.close();
    btf.close();
    expect(() => btf.typeCount).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
