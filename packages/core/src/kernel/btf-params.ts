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
