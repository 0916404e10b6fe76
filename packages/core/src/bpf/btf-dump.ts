/**
 * The BTF of a BPF object as `bpftool btf dump file <obj> format raw -j`
 * prints it, with the few queries used to check TypeScript layouts against
 * the C definitions: struct layouts, map definitions, global variables and
 * functions. Needs no native addon.
 */
import { execFileSync } from 'child_process';
import type { FieldLayout, StructLayout } from '../events/layout';

export interface BtfJsonMember {
  name: string;
  type_id: number;
  bits_offset: number;
  bitfield_size?: number;
}

export interface BtfJsonVarSecinfo {
  type_id: number;
  offset: number;
  size: number;
}

/** One type of bpftool's JSON dump (only the keys this module reads). */
export interface BtfJsonType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  linkage?: string;
  members?: BtfJsonMember[];
  vars?: BtfJsonVarSecinfo[];
}

/** A BTF-defined map (libbpf `__uint`/`__type` encoding) as declared in the object. */
export interface BtfMapDefinition {
  type?: number;
  maxEntries?: number;
  keySize?: number;
  valueSize?: number;
  /** Names of the key/value types when given with __type (e.g. `struct retis_probe_config`). */
  keyType?: string;
  valueType?: string;
}

const MODIFIERS = new Set(['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG']);

export class BtfDump {
  private readonly byId = new Map<number, BtfJsonType>();

  constructor(readonly types: readonly BtfJsonType[]) {
    for (const t of types) this.byId.set(t.id, t);
  }

  /** Runs bpftool on an object (or raw BTF) file. */
  static ofFile(path: string, bpftool = 'bpftool'): BtfDump {
    const out = execFileSync(bpftool, ['btf', 'dump', 'file', path, 'format', 'raw', '-j'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const parsed = JSON.parse(out) as { types?: BtfJsonType[] };
    if (!Array.isArray(parsed.types)) throw new Error(`bpftool printed no BTF types for ${path}`);
    return new BtfDump(parsed.types);
  }

  type(id: number): BtfJsonType {
    const t = this.byId.get(id);
    if (!t) throw new Error(`BTF type id ${id} does not exist`);
    return t;
  }

  /** Every type called `name` (of `kind` if given, e.g. 'STRUCT'). */
  findAll(name: string, kind?: string): BtfJsonType[] {
    return this.types.filter((t) => t.name === name && (kind === undefined || t.kind === kind));
  }

  /** The only type called `name` (and of `kind`); throws when missing or ambiguous. */
  find(name: string, kind?: string): BtfJsonType {
    const all = this.findAll(name, kind);
    if (all.length !== 1) {
      throw new Error(`expected one BTF ${kind ?? 'type'} named ${name}, found ${all.length}`);
    }
    return all[0];
  }

  /** The type behind typedefs and qualifiers. */
  resolve(id: number): BtfJsonType {
    let t = this.type(id);
    while (MODIFIERS.has(t.kind) && t.type_id !== undefined) t = this.type(t.type_id);
    return t;
  }

  sizeOf(id: number): number {
    const t = this.resolve(id);
    switch (t.kind) {
      case 'PTR':
        return 8;
      case 'ARRAY':
        return this.sizeOf(t.type_id ?? 0) * (t.nr_elems ?? 0);
      default:
        if (t.size === undefined) throw new Error(`BTF ${t.kind} ${t.name} (id ${t.id}) has no size`);
        return t.size;
    }
  }

  /** C spelling of a type name, e.g. `struct retis_probe_config`, `u64`. */
  typeName(id: number): string {
    const t = this.type(id);
    switch (t.kind) {
      case 'STRUCT':
        return `struct ${t.name}`;
      case 'UNION':
        return `union ${t.name}`;
      case 'ENUM':
      case 'ENUM64':
        return `enum ${t.name}`;
      default:
        return t.name;
    }
  }

  /** Layout of `struct name`: offset and size of every member (bitfields are rejected). */
  structLayout(name: string): StructLayout {
    const t = this.find(name, 'STRUCT');
    const fields: Record<string, FieldLayout> = {};
    for (const m of t.members ?? []) {
      if (m.bitfield_size || m.bits_offset % 8 !== 0) {
        throw new Error(`struct ${name}: member ${m.name} is a bitfield`);
      }
      fields[m.name] = { offset: m.bits_offset / 8, size: this.sizeOf(m.type_id) };
    }
    return { name, size: t.size ?? 0, fields };
  }

  /** Definition of the map variable `name` in the `.maps` section. */
  mapDefinition(name: string): BtfMapDefinition {
    const v = this.find(name, 'VAR');
    const def = this.resolve(v.type_id ?? 0);
    if (def.kind !== 'STRUCT') throw new Error(`map ${name} is not a BTF-defined map`);
    const out: BtfMapDefinition = {};
    for (const m of def.members ?? []) {
      const ptr = this.type(m.type_id);
      if (ptr.kind !== 'PTR') continue;
      const target = this.type(ptr.type_id ?? 0);
      // __uint(name, N) is `int (*name)[N]`; __type(name, T) is `T *name`.
      const n = target.kind === 'ARRAY' ? target.nr_elems : undefined;
      switch (m.name) {
        case 'type':
          out.type = n;
          break;
        case 'max_entries':
          out.maxEntries = n;
          break;
        case 'key_size':
          out.keySize = n;
          break;
        case 'value_size':
          out.valueSize = n;
          break;
        case 'key':
          out.keyType = this.typeName(target.id);
          out.keySize = this.sizeOf(target.id);
          break;
        case 'value':
          out.valueType = this.typeName(target.id);
          out.valueSize = this.sizeOf(target.id);
          break;
      }
    }
    return out;
  }

  /** Names and sizes of the variables of a data section such as `.rodata`. */
  sectionVariables(section: string): Map<string, { size: number; typeId: number }> {
    const sec = this.find(section, 'DATASEC');
    const vars = new Map<string, { size: number; typeId: number }>();
    for (const info of sec.vars ?? []) {
      const v = this.type(info.type_id);
      vars.set(v.name, { size: info.size, typeId: v.type_id ?? 0 });
    }
    return vars;
  }
}
