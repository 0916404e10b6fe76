import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { bpfFixture } from '../test/bpf-fixtures';
import type { Btf, BtfType } from './api';
import { BpfError, bindingCandidates, bpfNative } from './index';

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

/** Types in moduleStyleBtf(): a struct, a pointer, a prototype and a function. */
const MODULE_TYPES = 4;

/**
 * A raw BTF whose ids and string offsets continue those of this kernel's
 * vmlinux, as a module's do: `struct retis_split_test { int value; }` and
 * `int retis_test_xmit(struct sk_buff *skb)`.
 */
function moduleStyleBtf(baseCount: number, intId: number, skbId: number): Buffer {
  const baseStrLen = readFileSync('/sys/kernel/btf/vmlinux').readUInt32LE(20);
  const strings = ['', 'retis_split_test', 'value', 'skb', 'retis_test_xmit'];
  const off: Record<string, number> = {};
  let at = baseStrLen;
  for (const s of strings) {
    off[s] = at;
    at += Buffer.byteLength(s) + 1;
  }
  const words = [
    off.retis_split_test, (4 << 24) | 1, 4, off.value, intId, 0, // STRUCT, 1 member: int value
    0, 2 << 24, skbId, // PTR -> struct sk_buff
    0, (13 << 24) | 1, intId, off.skb, baseCount + 1, // FUNC_PROTO int (struct sk_buff *skb)
    off.retis_test_xmit, (12 << 24) | 1, baseCount + 2, // FUNC, global linkage
  ];
  const types = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => types.writeUInt32LE(w, i * 4));
  const str = Buffer.from(strings.map((s) => `${s}\0`).join(''));
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0);
  hdr.writeUInt8(1, 2);
  hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(0, 8);
  hdr.writeUInt32LE(types.length, 12);
  hdr.writeUInt32LE(types.length, 16);
  hdr.writeUInt32LE(str.length, 20);
  return Buffer.concat([hdr, types, str]);
}

function expectModuleFunction(btf: Btf, baseCount: number): void {
  const func = btf.findByName('retis_test_xmit', 'func');
  expect(func).toBe(baseCount + 3);
  const proto = btf.type(btf.type(func).typeId!);
  expect(proto).toMatchObject({ kind: 'func_proto', params: [{ name: 'skb', typeId: baseCount + 1 }] });
  expect(btf.type(btf.type(proto.params![0].typeId).typeId!)).toMatchObject({ kind: 'struct', name: 'sk_buff' });
}

/** Run in a private mount namespace with /sys/kernel/btf/retis_test_mod (argv[2]: the addon). */
const MODULE_CHILD = `
const addon = require(process.argv[2]);
class BpfError extends Error {
  constructor(message, code, errno, op) { super(message); Object.assign(this, { code, errno, op }); }
}
addon.initialize(BpfError);
const vmlinux = addon.loadBtf();
const mod = addon.loadModuleBtf('retis_test_mod', vmlinux);
const func = mod.findByName('retis_test_xmit', 'func');
const proto = mod.type(mod.type(func).typeId);
const out = {
  split: mod.split,
  typeCount: mod.typeCount,
  struct: mod.findByName('retis_split_test', 'struct'),
  func,
  proto: { kind: proto.kind, returnTypeId: proto.returnTypeId, params: proto.params },
  skbPointee: (({ kind, name }) => ({ kind, name }))(mod.type(mod.type(proto.params[0].typeId).typeId)),
};
vmlinux.close();
let baseClosed;
try { vmlinux.typeCount; } catch (e) { baseClosed = e.code; }
out.afterBaseClosed = { baseClosed, sk_buff: mod.findByName('sk_buff', 'struct') };
mod.close();
const alone = addon.loadModuleBtf('retis_test_mod');
out.withoutBase = { split: alone.split, func: alone.findByName('retis_test_xmit', 'func') };
alone.close();
try { addon.loadModuleBtf('retis_absent_mod'); } catch (e) { out.missing = { code: e.code, op: e.op }; }
process.stdout.write(JSON.stringify(out));
`;

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
    const baseCount = vmlinux.typeCount;
    const intId = byName('INT', 'int').id;
    const dir = mkdtempSync(join(tmpdir(), 'retis-btf-'));
    const path = join(dir, 'module.btf');
    writeFileSync(path, moduleStyleBtf(baseCount, intId, byName('STRUCT', 'sk_buff').id));
    try {
      const btf = bpfNative.loadBtf(path) as Btf & { split: boolean };
      try {
        expect(btf.split).toBe(true);
        expect(btf.typeCount).toBe(baseCount + MODULE_TYPES);
        expect(btf.findByName('retis_split_test', 'struct')).toBe(baseCount);
        expect(btf.type(baseCount)).toEqual({
          id: baseCount,
          kind: 'struct',
          name: 'retis_split_test',
          size: 4,
          members: [{ name: 'value', typeId: intId, bitOffset: 0, bitfieldSize: 0 }],
        });
        expect(btf.findByName('sk_buff', 'struct')).toBe(byName('STRUCT', 'sk_buff').id);
        expectModuleFunction(btf, baseCount);
      } finally {
        btf.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a loaded module\'s BTF', () => {
    it('is an ENOENT BpfError naming the module when the kernel has no BTF for it', () => {
      for (const base of [vmlinux, undefined]) {
        let error: unknown;
        try {
          bpfNative.loadBtf({ module: 'retis_no_such_module', base });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(BpfError);
        expect(error).toMatchObject({
          code: 'ENOENT',
          op: 'btf__load_module_btf',
          message: "cannot load the BTF of module 'retis_no_such_module': No such file or directory",
        });
      }
      // The shared base is untouched by the failure.
      expect(vmlinux.findByName('sk_buff', 'struct')).toBe(byName('STRUCT', 'sk_buff').id);
    });

    it.each([
      ['an empty name', { module: '' }],
      ['a path', { module: '../vmlinux' }],
      ['a name with a slash', { module: 'net/veth' }],
      ['vmlinux', { module: 'vmlinux' }],
      ['a name longer than the kernel allows', { module: 'm'.repeat(56) }],
      ['no name', {}],
      ['a base that is not a Btf', { module: 'veth', base: {} }],
    ])('refuses %s with a usage error', (_what, source) => {
      expect(() => bpfNative.loadBtf(source as { module: string })).toThrow(
        new TypeError('Usage: loadBtf({ module: string, base?: Btf })'),
      );
    });

    it('refuses null and a number as the source', () => {
      expect(() => bpfNative.loadBtf(null as unknown as string)).toThrow(TypeError);
      expect(() => bpfNative.loadBtf(7 as unknown as string)).toThrow(TypeError);
    });

    it('needs vmlinux\'s own BTF as its base, open', () => {
      const file = bpfNative.loadBtf(bpfFixture('splice'));
      try {
        // The addon's own TypeError (another realm than the test's).
        expect(() => bpfNative.loadBtf({ module: 'veth', base: file })).toThrow(expect.objectContaining({
          name: 'TypeError',
          message: 'Usage: loadBtf({ module: string, base?: Btf }): base must be the vmlinux BTF (loadBtf())',
        }));
      } finally {
        file.close();
      }
      const closed = bpfNative.loadBtf();
      closed.close();
      expect(() => bpfNative.loadBtf({ module: 'veth', base: closed })).toThrow(
        expect.objectContaining({ code: 'EBADF', op: 'btf__load_module_btf' }),
      );
    });

    it('loads /sys/kernel/btf/<module> over vmlinux, shared with the base handle (private mount namespace)', () => {
      // This kernel has no loadable modules: a child process gets a private
      // /sys/kernel/btf holding this kernel's vmlinux and a made-up module,
      // and uses the addon the way loadBtf({ module, base }) does.
      const baseCount = vmlinux.typeCount;
      const intId = byName('INT', 'int').id;
      const skbId = byName('STRUCT', 'sk_buff').id;
      const dir = mkdtempSync(join(tmpdir(), 'retis-btf-'));
      try {
        writeFileSync(join(dir, 'retis_test_mod'), moduleStyleBtf(baseCount, intId, skbId));
        writeFileSync(join(dir, 'child.js'), MODULE_CHILD);
        const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c',
          'cp /sys/kernel/btf/vmlinux "$1/vmlinux" && mount -t tmpfs tmpfs /sys/kernel/btf && ' +
          'cp "$1/vmlinux" "$1/retis_test_mod" /sys/kernel/btf/ && exec "$2" "$1/child.js" "$3"',
          'sh', dir, process.execPath, bindingCandidates().find((p) => existsSync(p))!], { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const got = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(got).toEqual({
          split: true,
          typeCount: baseCount + MODULE_TYPES,
          struct: baseCount,
          func: baseCount + 3,
          proto: { kind: 'func_proto', returnTypeId: intId, params: [{ name: 'skb', typeId: baseCount + 1 }] },
          skbPointee: { kind: 'struct', name: 'sk_buff' },
          // After the vmlinux handle was closed, the module's still reads vmlinux types.
          afterBaseClosed: { baseClosed: 'EBADF', sk_buff: skbId },
          withoutBase: { split: true, func: baseCount + 3 },
          missing: { code: 'ENOENT', op: 'btf__load_module_btf' },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
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
