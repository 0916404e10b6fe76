import type { Btf, BtfKind, BtfType } from './api';
import type { NativeBtf } from './native';
import { check, isUint } from './validate';

const KINDS: ReadonlySet<string> = new Set<BtfKind>([
  'int', 'ptr', 'array', 'struct', 'union', 'enum', 'enum64', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
  'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag',
]);

/** The api.ts Btf over a NativeBtf. Id 0 is `void` (kind 'unknown'). */
export class BtfHandle implements Btf {
  /** `native` is the addon's object (index.ts hands it over as a module's base). */
  constructor(readonly native: NativeBtf) {}

  get typeCount(): number {
    return this.native.typeCount;
  }

  /** Whether the types are split over vmlinux (a module's BTF). */
  get split(): boolean {
    return this.native.split;
  }

  findByName(name: string, kind?: BtfKind): number {
    check('findByName(name: string, kind?: BtfKind)', typeof name === 'string', kind === undefined || KINDS.has(kind));
    return this.native.findByName(name, kind);
  }

  type(id: number): BtfType {
    check('type(id: number)', isUint(id));
    return this.native.type(id);
  }

  close(): void {
    this.native.close();
  }
}
