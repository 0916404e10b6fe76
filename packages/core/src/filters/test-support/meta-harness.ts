/**
 * Runs generated meta filter blocks in the kernel through
 * test/fixtures/filters/meta_filter_harness.bpf.c, on a fake sk_buff built
 * from `struct meta_inputs`. The inputs are encoded with the member offsets
 * of the harness object's own BTF, so this file keeps no copy of the layout.
 */
import type { BpfNative, BpfObject } from '@retis/bpf-native';
import { FILTER_MAGIC } from '../placeholders';
import { buildHarness, harnessBytes } from './bpf-build';

const HARNESS = 'meta_filter_harness';
const HARNESS_ERROR = 0xffffffff;

/** Fields of `struct meta_inputs`, by their C names; absent ones are 0. */
export type MetaInputs = Partial<Record<string, number | bigint | string>>;

interface Field {
  offset: number;
  size: number;
  /** Integer fields: signedness; char arrays: undefined. */
  signed?: boolean;
}

export class LoadedMetaFilter {
  constructor(
    private readonly harness: MetaHarness,
    private readonly object: BpfObject,
  ) {}

  /** The filter's r0 on a fake skb made from `inputs`. */
  run(inputs: MetaInputs): number {
    return this.harness.run(this.object, inputs);
  }

  close(): void {
    this.object.close();
  }
}

export class MetaHarness {
  private readonly bytes = harnessBytes(HARNESS, { vmlinux: true });
  private readonly fields = new Map<string, Field>();
  private readonly inputSize: number;

  constructor(private readonly native: BpfNative) {
    const btf = native.loadBtf(buildHarness(HARNESS, { vmlinux: true }));
    try {
      const struct = btf.type(btf.findByName('meta_inputs', 'struct'));
      this.inputSize = struct.size as number;
      for (const m of struct.members ?? []) {
        const type = btf.type(m.typeId);
        const resolved = type.kind === 'typedef' ? btf.type(type.typeId as number) : type;
        if (resolved.kind === 'array') {
          this.fields.set(m.name, { offset: m.bitOffset / 8, size: resolved.nelems as number });
        } else {
          this.fields.set(m.name, { offset: m.bitOffset / 8, size: resolved.size as number, signed: resolved.signed });
        }
      }
    } finally {
      btf.close();
    }
  }

  async load(block: Buffer): Promise<LoadedMetaFilter> {
    const object = this.native.openObject(this.bytes, HARNESS);
    try {
      object.patchCalls(FILTER_MAGIC.meta, block);
      await object.load();
      return new LoadedMetaFilter(this, object);
    } catch (e) {
      object.close();
      throw e;
    }
  }

  encode(inputs: MetaInputs): Buffer {
    const out = Buffer.alloc(this.inputSize);
    for (const [name, value] of Object.entries(inputs)) {
      const field = this.fields.get(name);
      if (field === undefined) throw new Error(`struct meta_inputs has no field '${name}'`);
      if (value === undefined) continue;
      if (typeof value === 'string') {
        const text = Buffer.from(value);
        if (field.signed !== undefined || text.length > field.size) throw new Error(`'${value}' does not fit in ${name}`);
        text.copy(out, field.offset);
      } else {
        const bits = BigInt(field.size * 8);
        const raw = field.signed ? BigInt.asUintN(Number(bits), BigInt(value)) : BigInt(value);
        for (let i = 0n; i < bits / 8n; i++) out[field.offset + Number(i)] = Number((raw >> (8n * i)) & 0xffn);
      }
    }
    return out;
  }

  run(object: BpfObject, inputs: MetaInputs): number {
    this.native.map.update(object.map('inputs').fd, Buffer.alloc(4), this.encode(inputs));
    const { retval } = this.native.testRun(object.program('run_meta').fd, Buffer.alloc(0), Buffer.alloc(8));
    if (retval === HARNESS_ERROR) throw new Error('meta harness: map lookup failed');
    return retval;
  }
}
