/**
 * Function and tracepoint prototypes from BTF, with parameter types written
 * as the reference writes them (§7.2): qualifiers dropped, `struct X`,
 * `union X`, `enum X`, the int or typedef name, and ` *` for pointers.
 */
import type { Btf, BtfType } from '@retis/bpf-native';

export interface Param {
  name: string;
  type: string;
}

export function paramTypeString(btf: Btf, typeId: number): string {
  let pointer = false;
  let t: BtfType = btf.type(typeId);
  for (;;) {
    if (t.kind === 'ptr') pointer = true;
    else if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') break;
    if (!t.typeId) return pointer ? 'void *' : 'void';
    t = btf.type(t.typeId);
  }
  let name: string;
  switch (t.kind) {
    case 'struct': name = `struct ${t.name}`; break;
    case 'union': name = `union ${t.name}`; break;
    case 'enum': case 'enum64': name = `enum ${t.name}`; break;
    case 'int': case 'typedef': case 'float': case 'fwd': name = t.name; break;
    default: return '';
  }
  return pointer ? `${name} *` : name;
}

/** Parameters of a func_proto type id. */
export function protoParams(btf: Btf, protoId: number): Param[] {
  const proto = btf.type(protoId);
  return (proto.params ?? []).map((p) => ({ name: p.name, type: paramTypeString(btf, p.typeId) }));
}

/**
 * A tracepoint's parameters, from the `btf_trace_<event>` typedef (a pointer
 * to a func_proto whose first parameter, `void *__data`, is not the
 * tracepoint's). Null when the kernel has no such BTF.
 */
export function tracepointParams(btf: Btf, event: string): Param[] | null {
  const id = btf.findByName(`btf_trace_${event}`, 'typedef');
  if (id < 0) return null;
  let t = btf.type(id);
  while (t.typeId && t.kind !== 'func_proto') t = btf.type(t.typeId);
  if (t.kind !== 'func_proto') return null;
  return protoParams(btf, t.id).slice(1);
}

/** A kernel function's parameters from its BTF `func`; null if absent. */
export function functionParams(btf: Btf, func: string): Param[] | null {
  const id = btf.findByName(func, 'func');
  if (id < 0) return null;
  const f = btf.type(id);
  return f.typeId ? protoParams(btf, f.typeId) : null;
}

/** How a function's return value is decoded (fexit, kretprobe). */
export interface ReturnType {
  /** 'other' (structs, unions, floats): not reported. */
  kind: 'void' | 'int' | 'bool' | 'pointer' | 'enum' | 'other';
  /** Bytes of the value in the return register. */
  size: number;
  signed: boolean;
  /** As paramTypeString writes it, e.g. `int`, `struct sk_buff *`. */
  name: string;
}

/** The return type of a func_proto, typedefs and qualifiers resolved. */
export function protoReturnType(btf: Btf, protoId: number): ReturnType {
  const proto = btf.type(protoId);
  const retId = proto.returnTypeId ?? proto.typeId ?? 0;
  const name = retId ? paramTypeString(btf, retId) : 'void';
  let t: BtfType = btf.type(retId);
  while (t.id !== 0 && (t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag')) {
    t = btf.type(t.typeId ?? 0);
  }
  switch (t.kind) {
    case 'unknown':
      return { kind: 'void', size: 0, signed: false, name };
    case 'ptr':
      return { kind: 'pointer', size: 8, signed: false, name };
    case 'int':
      if (t.name === '_Bool' || t.name === 'bool') return { kind: 'bool', size: t.size ?? 1, signed: false, name };
      return { kind: 'int', size: t.size ?? 8, signed: t.signed ?? false, name };
    case 'enum':
    case 'enum64':
      return { kind: 'enum', size: t.size ?? 4, signed: t.enumSigned ?? false, name };
    default:
      return { kind: 'other', size: t.size ?? 0, signed: false, name };
  }
}

/** A kernel function's return type from its BTF `func`; null if absent. */
export function functionReturnType(btf: Btf, func: string): ReturnType | null {
  const id = btf.findByName(func, 'func');
  if (id < 0) return null;
  const f = btf.type(id);
  return f.typeId ? protoReturnType(btf, f.typeId) : null;
}
