/**
 * Resolves a term's `sk_buff.a.b.c` path through BTF into what the code
 * generator reads: the pointers to follow, then the leaf to compare
 * (reference §6.2, "Semantics" and "Leaf types").
 *
 * - Members are looked up by name, descending into anonymous struct/union
 *   members; embedded named structs/unions add their offset.
 * - A pointer to a struct/union in the middle of the path is followed (an
 *   8-byte read); `member:MASK:type` reads a pointer or 64-bit integer, masks
 *   it and walks the result as `type`.
 * - Leaves: integers of 1/2/4/8 bytes (signed or not, bitfields included),
 *   enums, char arrays and char pointers (strings, `==`/`!=` only), and, as an
 *   extension of the reference, a NULL test of any pointer (`sk_buff.sk`,
 *   `sk_buff.dev == 0`).
 *
 * Offsets are computed for little-endian bit numbering (x86_64, aarch64).
 */
import type { Btf, BtfMember, BtfType } from '@retis/bpf-native';
import { pathText, type PathElement, type Term } from './ast';
import { MetaFilterError } from './errors';

/** Read 8 bytes at base + offset, AND the mask: that is the next base. */
export interface PointerStep {
  offset: number;
  mask?: bigint;
}

export interface NumberLeaf {
  kind: 'number';
  /** Byte offset of the first byte to read. */
  offset: number;
  /** Bytes to read: the integer's size, or the bytes spanning a bitfield. */
  size: number;
  signed: boolean;
  /** Set for bitfields: the value is `bits` wide, starting `shift` bits into the bytes read. */
  bitfield?: { shift: number; bits: number };
  mask?: bigint;
}

export interface StringLeaf {
  kind: 'string';
  offset: number;
  /** `array`: the bytes are in the struct (a char[capacity]); `pointer`: the member points to a C string. */
  storage: { kind: 'array'; capacity: number } | { kind: 'pointer' };
}

export type Leaf = NumberLeaf | StringLeaf;

export interface ResolvedTerm {
  steps: PointerStep[];
  leaf: Leaf;
}

/** Kinds that only qualify or rename another type. */
const TRANSPARENT = new Set(['typedef', 'volatile', 'const', 'restrict', 'type_tag']);

/** Sizes an integer read can have. */
const READ_SIZES = new Set([1, 2, 4, 8]);
const MAX_STRING = 31;

function maskError(where: string): MetaFilterError {
  return new MetaFilterError(`cannot mask ${where}: masks apply to pointers and unsigned numbers only`);
}

function label(t: BtfType): string {
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'fwd':
      return `${t.kind === 'fwd' ? 'struct' : t.kind} ${t.name || '(anonymous)'}`;
    case 'enum64':
      return `enum ${t.name || '(anonymous)'}`;
    case 'unknown':
      return t.name || 'void';
    default:
      return t.name || t.kind;
  }
}

interface FoundMember {
  member: BtfMember;
  /** Its type, typedefs and qualifiers removed. */
  type: BtfType;
  /** The type's name as declared (the typedef name if any), for messages. */
  shown: string;
  /** From the start of the object being walked. */
  bitOffset: number;
}

class TermResolver {
  private offsetBits = 0;
  private readonly steps: PointerStep[] = [];
  private readonly path: readonly PathElement[];

  constructor(
    private readonly btf: Btf,
    private readonly term: Term,
  ) {
    this.path = term.path;
  }

  /** The type after typedefs and qualifiers, and the name the user would know it by. */
  private strip(typeId: number): { type: BtfType; shown: string } {
    let type = this.btf.type(typeId);
    let shown: string | undefined;
    while (TRANSPARENT.has(type.kind) && type.typeId !== undefined) {
      if (type.kind === 'typedef' && shown === undefined) shown = type.name;
      type = this.btf.type(type.typeId);
    }
    return { type, shown: shown ?? label(type) };
  }

  private pathUpTo(index: number): string {
    return pathText(this.path, index + 1);
  }

  /** The member named `name` in `container`, looking through anonymous members; bit offset from `container`. */
  private findMember(container: BtfType, name: string): { member: BtfMember; bitOffset: number } | undefined {
    for (const member of container.members ?? []) {
      if (member.name === name) return { member, bitOffset: member.bitOffset };
      if (member.name === '') {
        const { type } = this.strip(member.typeId);
        if (type.kind !== 'struct' && type.kind !== 'union') continue;
        const found = this.findMember(type, name);
        if (found) return { member: found.member, bitOffset: member.bitOffset + found.bitOffset };
      }
    }
    return undefined;
  }

  /** A struct, union or typedef to one of them, by name, for `:mask:type`. */
  private castTarget(element: PathElement, index: number): BtfType {
    const name = element.cast as string;
    for (const kind of ['struct', 'union', 'typedef'] as const) {
      const id = this.btf.findByName(name, kind);
      if (id < 0) continue;
      const { type } = this.strip(id);
      if (type.kind === 'struct' || type.kind === 'union') return type;
      const what = `'${name}' is ${label(type)}, not a struct or union`;
      throw new MetaFilterError(`cannot cast ${this.pathUpTo(index)}: ${what}`);
    }
    throw new MetaFilterError(`cannot cast ${this.pathUpTo(index)}: no struct, union or typedef named '${name}'`);
  }

  resolve(root: BtfType): ResolvedTerm {
    let container = root;
    const last = this.path.length - 1;

    for (let i = 0; i < last; i++) {
      const element = this.path[i];
      const { member, type, shown, bitOffset } = this.member(container, element);
      const next = this.path[i + 1].name;

      if (element.cast !== undefined) {
        const castable = type.kind === 'ptr' || (type.kind === 'int' && type.size === 8);
        if (!castable) {
          throw new MetaFilterError(
            `cannot cast ${this.pathUpTo(i)}: it is ${shown}; only pointers and 64-bit integers can be cast`,
          );
        }
        this.follow(this.byteOffset(bitOffset, member, i), element.mask);
        container = this.castTarget(element, i);
      } else if (type.kind === 'ptr') {
        const pointee = this.strip(type.typeId as number);
        if (pointee.type.kind === 'ptr') {
          throw new MetaFilterError(`cannot look up '${next}': ${this.pathUpTo(i)} is a pointer to a pointer`);
        }
        if (pointee.type.kind === 'fwd') {
          const what = `${pointee.shown} is declared but not defined in the BTF`;
          throw new MetaFilterError(`cannot look up '${next}': ${what}`);
        }
        if (pointee.type.kind !== 'struct' && pointee.type.kind !== 'union') {
          throw new MetaFilterError(
            `cannot look up '${next}': ${this.pathUpTo(i)} points to ${pointee.shown}, not to a struct or union`,
          );
        }
        this.follow(this.byteOffset(bitOffset, member, i), element.mask);
        container = pointee.type;
      } else if (type.kind === 'struct' || type.kind === 'union') {
        if (element.mask !== undefined) {
          throw maskError(this.pathUpTo(i));
        }
        // Embedded: the next member is at an offset from this one, in the same object.
        this.offsetBits += bitOffset;
        container = type;
      } else {
        throw new MetaFilterError(`cannot look up '${next}': ${this.pathUpTo(i)} is ${shown}, not a struct or union`);
      }
    }

    const element = this.path[last];
    if (element.cast !== undefined) {
      throw new MetaFilterError(
        `${this.pathUpTo(last)} casts the last member: a cast must be followed by a member of '${element.cast}'`,
      );
    }
    const found = this.member(container, element);
    return { steps: this.steps, leaf: this.leaf(found, element, last) };
  }

  private member(container: BtfType, element: PathElement): FoundMember {
    const found = this.findMember(container, element.name);
    if (found === undefined) throw new MetaFilterError(`no member '${element.name}' in ${label(container)}`);
    const { type, shown } = this.strip(found.member.typeId);
    return { member: found.member, type, shown, bitOffset: this.offsetBits + found.bitOffset };
  }

  private byteOffset(bitOffset: number, member: BtfMember, index: number): number {
    if (member.bitfieldSize !== 0 || bitOffset % 8 !== 0) {
      throw new MetaFilterError(`${this.pathUpTo(index)} is a bitfield and cannot be followed or cast`);
    }
    return bitOffset / 8;
  }

  /** The pointer at `offset` becomes the new base. */
  private follow(offset: number, mask: bigint | undefined): void {
    this.steps.push(mask === undefined ? { offset } : { offset, mask });
    this.offsetBits = 0;
  }

  private leaf(found: FoundMember, element: PathElement, index: number): Leaf {
    const { member, type, shown, bitOffset } = found;
    const where = this.pathUpTo(index);
    const unsupported = (what: string): MetaFilterError => new MetaFilterError(`cannot compare ${where}: ${what}`);

    switch (type.kind) {
      case 'int':
      case 'enum':
      case 'enum64': {
        const size = type.size as number;
        const signed = type.kind === 'int' ? type.signed === true : type.enumSigned === true;
        let bits = member.bitfieldSize;
        let start = bitOffset;
        // Old-style BTF bitfields put the width in the int type itself.
        if (bits === 0 && type.kind === 'int' && (type.bits ?? size * 8) < size * 8) {
          bits = type.bits as number;
          start += type.bitOffset ?? 0;
        }
        if (bits === 0) {
          if (!READ_SIZES.has(size)) throw unsupported(`${shown} is ${size} bytes wide (1, 2, 4 or 8 are supported)`);
          if (start % 8 !== 0) throw unsupported(`${shown} is not byte-aligned`);
          return this.numberLeaf({ kind: 'number', offset: start / 8, size, signed }, element, where);
        }
        const shift = start % 8;
        const span = Math.ceil((shift + bits) / 8);
        if (span > 8) throw unsupported(`the ${bits}-bit field spans more than 8 bytes`);
        return this.numberLeaf(
          { kind: 'number', offset: (start - shift) / 8, size: span, signed, bitfield: { shift, bits } },
          element,
          where,
        );
      }

      case 'ptr': {
        const pointee = this.strip(type.typeId as number);
        if (pointee.type.kind === 'ptr') throw unsupported('pointers to pointers are not supported');
        const offset = this.byteOffset(bitOffset, member, index);
        const rhs = this.term.rhs;
        if (rhs.kind === 'string') {
          if (pointee.type.kind !== 'int' || pointee.type.size !== 1) {
            throw unsupported(`it points to ${pointee.shown}, not to a string`);
          }
          return this.stringLeaf({ kind: 'string', offset, storage: { kind: 'pointer' } }, element, where);
        }
        // Extension: a NULL test (a comparison of the address with anything else has no use).
        if (rhs.value !== 0n || (this.term.op !== '==' && this.term.op !== '!=')) {
          const what = `it is a pointer to ${pointee.shown}: only a NULL test applies (== 0, != 0 or the member alone)`;
          throw unsupported(what);
        }
        if (element.mask !== undefined) {
          throw new MetaFilterError(`cannot mask ${where}: only a NULL test applies to it`);
        }
        return { kind: 'number', offset, size: 8, signed: false };
      }

      case 'array': {
        const elem = this.strip(type.elemTypeId as number);
        if (elem.type.kind !== 'int' || elem.type.size !== 1) {
          throw unsupported(`arrays of ${elem.shown} are not supported`);
        }
        const offset = this.byteOffset(bitOffset, member, index);
        return this.stringLeaf(
          { kind: 'string', offset, storage: { kind: 'array', capacity: type.nelems as number } },
          element,
          where,
        );
      }

      case 'struct':
      case 'union':
        throw unsupported(`it is ${shown}; compare one of its members`);

      default:
        throw unsupported(`${shown} is not a number or a string`);
    }
  }

  private numberLeaf(leaf: NumberLeaf, element: PathElement, where: string): NumberLeaf {
    const term = this.term;
    if (term.rhs.kind === 'string') {
      throw new MetaFilterError(`${where} is a number and cannot be compared with the string "${term.rhs.value}"`);
    }
    if (term.rhs.value < 0n && !leaf.signed) {
      throw new MetaFilterError(`${where} is unsigned and cannot be compared with ${term.rhs.text}`);
    }
    if (element.mask !== undefined) {
      if (leaf.signed) throw maskError(where);
      leaf.mask = element.mask;
    }
    return leaf;
  }

  private stringLeaf(leaf: StringLeaf, element: PathElement, where: string): StringLeaf {
    const term = this.term;
    if (term.implicit || term.rhs.kind !== 'string') {
      const what = term.implicit ? 'nothing' : `the number ${term.rhs.kind === 'number' ? term.rhs.text : ''}`;
      throw new MetaFilterError(`${where} is a string: compare it with == or != and a quoted string, not ${what}`);
    }
    if (term.op !== '==' && term.op !== '!=') {
      throw new MetaFilterError(`${where} is a string: only == and != apply to strings, not ${term.op}`);
    }
    const bytes = Buffer.byteLength(term.rhs.value);
    if (bytes > MAX_STRING) {
      throw new MetaFilterError(`string "${term.rhs.value}" is too long: ${bytes} bytes, at most ${MAX_STRING}`);
    }
    if (element.mask !== undefined) throw new MetaFilterError(`cannot mask ${where}: it is a string`);
    const capacity = leaf.storage.kind === 'array' ? leaf.storage.capacity : 0;
    if (capacity > 0 && bytes > capacity) {
      throw new MetaFilterError(`string "${term.rhs.value}" is longer than ${where} (char[${capacity}]) can hold`);
    }
    return leaf;
  }
}

/** Resolves `term` from `struct sk_buff`; throws MetaFilterError naming the element that does not resolve. */
export function resolveTerm(btf: Btf, term: Term): ResolvedTerm {
  const rootId = btf.findByName('sk_buff', 'struct');
  if (rootId < 0) throw new MetaFilterError('struct sk_buff is not in the kernel BTF');
  return new TermResolver(btf, term).resolve(btf.type(rootId));
}
