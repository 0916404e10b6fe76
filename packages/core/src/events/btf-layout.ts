/**
 * Checks a StructLayout against the BTF of a compiled BPF object, so the C
 * struct stays the one definition: tests compare every decoder's tables
 * with the built objects, and the loader can refuse an object whose layout
 * drifted before decoding garbage.
 */
import { execFileSync } from 'child_process';
import { parseJson } from './json';
import type { StructLayout } from './layout';

/** The BTF type fields the check reads (a subset of @retis/bpf-native's BtfType). */
export interface BtfTypeLike {
  kind: string;
  name: string;
  size?: number;
  typeId?: number;
  elemTypeId?: number;
  nelems?: number;
  members?: readonly { name: string; typeId: number; bitOffset: number; bitfieldSize?: number }[];
  /** enum/enum64 enumerators. */
  values?: readonly { name: string; value: bigint }[];
}

/** A BTF handle, shaped like @retis/bpf-native's Btf. */
export interface BtfTypeSource {
  findByName(name: string, kind?: string): number;
  type(id: number): BtfTypeLike;
}

const QUALIFIERS = new Set(['typedef', 'const', 'volatile', 'restrict', 'type_tag']);

/** sizeof a BTF type, following typedefs and qualifiers. */
export function btfSizeOf(btf: BtfTypeSource, id: number): number {
  for (let depth = 0; depth < 32; depth++) {
    const t = btf.type(id);
    if (QUALIFIERS.has(t.kind) && t.typeId !== undefined) {
      id = t.typeId;
      continue;
    }
    if (t.kind === 'array' && t.elemTypeId !== undefined) return (t.nelems ?? 0) * btfSizeOf(btf, t.elemTypeId);
    if (t.kind === 'ptr') return 8;
    if (t.size !== undefined) return t.size;
    throw new Error(`BTF type ${id} (${t.kind} ${t.name}) has no size`);
  }
  throw new Error(`BTF type ${id}: typedef chain too deep`);
}

/** Every difference between the layout and `struct <layout.name>` in the BTF; empty when they agree. */
export function layoutMismatches(btf: BtfTypeSource, layout: StructLayout): string[] {
  const id = btf.findByName(layout.name, 'struct');
  if (id < 0) return [`struct ${layout.name} is not in the BTF`];
  const s = btf.type(id);
  const out: string[] = [];
  if (s.size !== layout.size) out.push(`struct ${layout.name}: size ${s.size} in BTF, ${layout.size} in the decoder`);
  const seen = new Set<string>();
  for (const m of s.members ?? []) {
    seen.add(m.name);
    const f = layout.fields[m.name];
    if (f === undefined) {
      out.push(`${layout.name}.${m.name}: in BTF, missing from the decoder`);
      continue;
    }
    if (m.bitfieldSize !== undefined && m.bitfieldSize !== 0) out.push(`${layout.name}.${m.name}: is a bitfield`);
    if (m.bitOffset !== f.offset * 8) out.push(`${layout.name}.${m.name}: offset ${m.bitOffset / 8} in BTF, ${f.offset} in the decoder`);
    const size = btfSizeOf(btf, m.typeId);
    if (size !== f.size) out.push(`${layout.name}.${m.name}: size ${size} in BTF, ${f.size} in the decoder`);
  }
  for (const name of Object.keys(layout.fields)) {
    if (!seen.has(name)) out.push(`${layout.name}.${name}: in the decoder, missing from BTF`);
  }
  return out;
}

interface BpftoolType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  members?: { name: string; type_id: number; bits_offset: number; bitfield_size?: number }[];
  values?: { name: string; val: number | bigint }[];
}

/** A BtfTypeSource over `bpftool btf dump file <obj> format raw -j` output (already parsed). */
export function btfFromBpftoolJson(dump: { types: readonly BpftoolType[] }): BtfTypeSource {
  const byId = new Map<number, BtfTypeLike>();
  const byName = new Map<string, number>();
  for (const t of dump.types) {
    const kind = t.kind.toLowerCase();
    const like: BtfTypeLike = { kind, name: t.name, size: t.size };
    if (kind === 'array') {
      like.elemTypeId = t.type_id;
      like.nelems = t.nr_elems;
    } else {
      like.typeId = t.type_id;
    }
    if (t.members !== undefined) {
      like.members = t.members.map((m) => ({ name: m.name, typeId: m.type_id, bitOffset: m.bits_offset, bitfieldSize: m.bitfield_size }));
    }
    if (t.values !== undefined) like.values = t.values.map((v) => ({ name: v.name, value: BigInt(v.val) }));
    byId.set(t.id, like);
    const key = `${kind} ${t.name}`;
    if (!byName.has(key)) byName.set(key, t.id);
  }
  return {
    findByName(name, kind) {
      if (kind !== undefined) return byName.get(`${kind} ${name}`) ?? -1;
      for (const [key, id] of byName) if (key.slice(key.indexOf(' ') + 1) === name) return id;
      return -1;
    },
    type(id) {
      const t = byId.get(id);
      if (t === undefined) throw new Error(`No BTF type ${id}`);
      return t;
    },
  };
}

/**
 * The BTF of an object file through `bpftool btf dump ... format raw -j`
 * (for tests and build tools: the addon's Btf is the runtime path).
 */
export function readObjectBtf(path: string): BtfTypeSource {
  const json = execFileSync('bpftool', ['btf', 'dump', 'file', path, 'format', 'raw', '-j'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return btfFromBpftoolJson(parseJson(json) as unknown as { types: BpftoolType[] });
}
