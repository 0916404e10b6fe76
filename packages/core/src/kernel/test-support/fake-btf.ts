/**
 * A small in-memory BTF for inspector tests: functions and tracepoints whose
 * prototypes are given as C-like type strings (`struct sk_buff *`, `int`,
 * `u32`, `void`), without the native addon or a running kernel's BTF.
 */
import type { Btf, BtfKind, BtfType } from '@retis/bpf-native';

export interface FakeProto {
  params: { name: string; type: string }[];
  returns?: string;
}

export class FakeBtf implements Btf {
  private readonly types: BtfType[];
  private readonly named = new Map<string, number>();
  private readonly cache = new Map<string, number>();
  /** The BTF this one is split over (a module's over vmlinux's), and its first own id. */
  private readonly base?: FakeBtf;
  private readonly first: number;
  /** findByName calls, to check when the inspector indexes instead. */
  lookups = 0;

  /** With `base`, a module's BTF: its ids follow the base's, and lookups take in the base's types first (as libbpf's). */
  constructor(opts: { functions?: Record<string, FakeProto>; tracepoints?: Record<string, FakeProto>; base?: FakeBtf }) {
    this.base = opts.base;
    this.first = opts.base ? opts.base.typeCount : 0;
    this.types = opts.base ? [] : [{ id: 0, kind: 'unknown', name: 'void' }];
    for (const [name, proto] of Object.entries(opts.functions ?? {})) {
      this.add({ kind: 'func', name, typeId: this.proto(proto) });
    }
    for (const [event, proto] of Object.entries(opts.tracepoints ?? {})) {
      // btf_trace_<event>: typedef -> ptr -> func_proto(void *__data, args...)
      const fp = this.proto({ ...proto, params: [{ name: '__data', type: 'void *' }, ...proto.params] });
      const ptr = this.add({ kind: 'ptr', name: '', typeId: fp });
      this.add({ kind: 'typedef', name: `btf_trace_${event}`, typeId: ptr });
    }
  }

  get typeCount(): number {
    return this.first + this.types.length;
  }

  findByName(name: string, kind?: BtfKind): number {
    this.lookups++;
    const inBase = this.base ? this.base.findByName(name, kind) : -1;
    if (inBase >= 0) return inBase;
    return this.named.get(`${kind ?? ''}:${name}`) ?? this.named.get(`:${name}`) ?? -1;
  }

  type(id: number): BtfType {
    if (this.base && id < this.first) return this.base.type(id);
    const t = this.types[id - this.first];
    if (!t) throw new Error(`no BTF type with id ${id}`);
    return t;
  }

  close(): void {}

  private add(t: Omit<BtfType, 'id'>): number {
    const id = this.typeCount;
    this.types.push({ ...t, id } as BtfType);
    if (t.name) {
      this.named.set(`${t.kind}:${t.name}`, id);
      if (!this.named.has(`:${t.name}`)) this.named.set(`:${t.name}`, id);
    }
    return id;
  }

  private proto(p: FakeProto): number {
    const params = p.params.map((q) => ({ name: q.name, typeId: this.typeOf(q.type) }));
    return this.add({ kind: 'func_proto', name: '', returnTypeId: this.typeOf(p.returns ?? 'void'), params });
  }

  /** `struct x *`, `enum x`, `int`, `bool`, `u32` (a typedef of unsigned int), `void`. */
  private typeOf(text: string): number {
    const cached = this.cache.get(text);
    if (cached !== undefined) return cached;
    let id: number;
    if (text === 'void') id = 0;
    else if (text.endsWith(' *')) id = this.add({ kind: 'ptr', name: '', typeId: this.typeOf(text.slice(0, -2)) });
    else if (text.startsWith('struct ')) id = this.add({ kind: 'struct', name: text.slice(7), size: 8, members: [] });
    else if (text.startsWith('enum ')) id = this.add({ kind: 'enum', name: text.slice(5), size: 4, values: [], enumSigned: false });
    else if (text === 'bool') id = this.add({ kind: 'int', name: '_Bool', size: 1, signed: false, bits: 8 });
    else if (text === 'int') id = this.add({ kind: 'int', name: 'int', size: 4, signed: true, bits: 32 });
    else if (text === 'u32') id = this.add({ kind: 'typedef', name: 'u32', typeId: this.add({ kind: 'int', name: 'unsigned int', size: 4, signed: false, bits: 32 }) });
    else if (text === 'long') id = this.add({ kind: 'int', name: 'long', size: 8, signed: true, bits: 64 });
    else throw new Error(`FakeBtf: unsupported type ${text}`);
    this.cache.set(text, id);
    return id;
  }
}
