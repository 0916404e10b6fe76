/**
 * Raw section layouts and the small readers the factories share.
 *
 * Each collector's `decode.ts` describes every struct it reads once, as a
 * StructLayout named after the C struct, and reads fields through those
 * offsets: a test compares the tables with the BTF of the compiled BPF
 * objects, so the C header stays the single definition.
 */
import { endianness } from 'os';
import { RawSectionError } from './raw-error';
import type { RawSection } from './section';

export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

export interface StructLayout {
  /** The C struct name, e.g. `skb_meta_event`. */
  readonly name: string;
  /** sizeof, including the explicit padding. */
  readonly size: number;
  /** Every member, padding included, by its C name. */
  readonly fields: Readonly<Record<string, FieldLayout>>;
}

/** Raw sections are written in host byte order. */
export const LITTLE_ENDIAN = endianness() === 'LE';

/** The DataView a factory reads through: the caller's, or one over `buf`. */
export function viewOf(buf: Buffer, view: DataView | undefined): DataView {
  return view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Throws unless the section has exactly the struct's size. */
export function expectSize(section: RawSection, layout: StructLayout, owner: string): void {
  if (section.size !== layout.size) {
    throw new RawSectionError(
      `${owner}: section data ${layout.name} is not the expected size (${section.size} != ${layout.size})`,
    );
  }
}

/** Throws for a data type the owner does not define. */
export function unknownDataType(section: RawSection, owner: string): never {
  throw new RawSectionError(`${owner}: unknown data type ${section.dataType}`);
}

/**
 * The one section of an owner that writes a single struct: throws unless
 * there is exactly one, of `dataType` and of the struct's size.
 */
export function onlySection(sections: RawSection[], owner: string, dataType: number, layout: StructLayout): RawSection {
  if (sections.length !== 1) throw new RawSectionError(`${owner}: expected one section, got ${sections.length}`);
  const s = sections[0];
  if (s.dataType !== dataType) unknownDataType(s, owner);
  expectSize(s, layout, owner);
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Buffer's own slice decoders: `toString(enc, start, end)` dispatches on the
 * encoding in JavaScript first, which costs as much as the decoding of a
 * 16-byte name. Node has had these methods for ever; @types/node omits them.
 */
interface BufferSlices {
  latin1Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

/** `buf.toString('base64', start, end)` without the dispatch. */
export function base64Of(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as BufferSlices).base64Slice(start, end);
}

/**
 * A NUL-terminated `char[len]` at `offset`: the bytes before the first NUL.
 * Returns undefined when there is no NUL or the bytes are not UTF-8 (the
 * reference drops a device name that is not); with `lossy`, invalid
 * sequences become U+FFFD instead (a task comm is cut at 15 bytes by the
 * kernel, possibly inside a character, and must not cost the event).
 */
export function cString(buf: Buffer, offset: number, len: number, lossy = false): string | undefined {
  let high = 0;
  let end = offset;
  const max = offset + len;
  for (; end < max; end++) {
    const b = buf[end];
    if (b === 0) break;
    high |= b;
  }
  if (end === max) return undefined;
  if (high < 0x80) return (buf as unknown as BufferSlices).latin1Slice(offset, end);
  if (lossy) return buf.toString('utf8', offset, end);
  try {
    return utf8.decode(buf.subarray(offset, end));
  } catch {
    return undefined;
  }
}
