/**
 * Builds raw events as the BPF side writes them, for tests of the parser
 * and of collectors' factories (ours and third-party ones): struct payloads
 * from a StructLayout and field values, sections, and the framing.
 */
import { LITTLE_ENDIAN, type StructLayout } from './layout';

export type FieldValue = number | bigint | string | Buffer | Uint8Array;

/** A struct's bytes: each given field written at its layout offset, the rest zero. */
export function encodeStruct(layout: StructLayout, values: Readonly<Record<string, FieldValue>>): Buffer {
  const buf = Buffer.alloc(layout.size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const [name, value] of Object.entries(values)) {
    const field = layout.fields[name];
    if (field === undefined) throw new Error(`${layout.name} has no field ${name}`);
    const { offset, size } = field;
    if (typeof value === 'string' || value instanceof Uint8Array) {
      const bytes = typeof value === 'string' ? Buffer.from(value) : value;
      if (bytes.length > size) throw new Error(`${layout.name}.${name}: ${bytes.length} bytes do not fit in ${size}`);
      buf.set(bytes, offset);
      continue;
    }
    const n = BigInt(value);
    switch (size) {
      case 1:
        view.setUint8(offset, Number(BigInt.asUintN(8, n)));
        break;
      case 2:
        view.setUint16(offset, Number(BigInt.asUintN(16, n)), LITTLE_ENDIAN);
        break;
      case 4:
        view.setUint32(offset, Number(BigInt.asUintN(32, n)), LITTLE_ENDIAN);
        break;
      case 8:
        view.setBigUint64(offset, BigInt.asUintN(64, n), LITTLE_ENDIAN);
        break;
      default:
        throw new Error(`${layout.name}.${name}: cannot write a number into ${size} bytes`);
    }
  }
  return buf;
}

/** Accumulates sections and frames them as `u16 size` + sections. */
export class RawEventBuilder {
  private readonly parts: Buffer[] = [];

  /** A section `{u8 owner; u8 data_type; u16 size}` + payload. */
  section(owner: number, dataType: number, payload: Buffer | Uint8Array): this {
    const header = Buffer.alloc(4);
    header[0] = owner;
    header[1] = dataType;
    const view = new DataView(header.buffer, header.byteOffset, 4);
    view.setUint16(2, payload.length, LITTLE_ENDIAN);
    this.parts.push(header, Buffer.from(payload));
    return this;
  }

  /** A section whose payload is a struct built from field values. */
  struct(owner: number, dataType: number, layout: StructLayout, values: Readonly<Record<string, FieldValue>>): this {
    return this.section(owner, dataType, encodeStruct(layout, values));
  }

  /** Raw bytes appended as they are (to build corrupt events). */
  raw(bytes: Buffer | Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  /** The data part (everything after the u16 size). */
  data(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** The record: u16 size of the data, then the data. */
  build(): Buffer {
    const data = this.data();
    const head = Buffer.alloc(2);
    new DataView(head.buffer, head.byteOffset, 2).setUint16(0, data.length, LITTLE_ENDIAN);
    return Buffer.concat([head, data]);
  }
}
