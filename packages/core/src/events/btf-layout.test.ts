import { join } from 'path';
import { layoutMismatches, readObjectBtf } from './btf-layout';
import { COMMON_EVENT_LAYOUT, COMMON_TASK_EVENT_LAYOUT, KERNEL_EVENT_LAYOUT } from './core-factories';
import type { StructLayout } from './layout';

// Built by `make -C bpf-common` (the build:bpf step).
const PROBE_OBJECT = join(__dirname, '../../../../bpf-common/dist/raw_tracepoint.bpf.o');

describe('core section layouts', () => {
  it.each([COMMON_EVENT_LAYOUT, COMMON_TASK_EVENT_LAYOUT, KERNEL_EVENT_LAYOUT])('$name matches the probe object BTF', (layout) => {
    expect(layoutMismatches(readObjectBtf(PROBE_OBJECT), layout)).toEqual([]);
  });
});

describe('layoutMismatches', () => {
  it('reports size, offset, missing and extra members', () => {
    const btf = readObjectBtf(PROBE_OBJECT);
    const wrong: StructLayout = {
      name: 'kernel_event',
      size: 20,
      fields: { symbol: { offset: 0, size: 8 }, stack_id: { offset: 4, size: 8 }, type: { offset: 16, size: 2 }, extra: { offset: 18, size: 1 } },
    };
    expect(layoutMismatches(btf, wrong)).toEqual([
      'struct kernel_event: size 24 in BTF, 20 in the decoder',
      'kernel_event.stack_id: offset 8 in BTF, 4 in the decoder',
      'kernel_event.type: size 1 in BTF, 2 in the decoder',
      'kernel_event.pad: in BTF, missing from the decoder',
      'kernel_event.extra: in the decoder, missing from BTF',
    ]);
    expect(layoutMismatches(btf, { name: 'nope_event', size: 1, fields: {} })).toEqual(['struct nope_event is not in the BTF']);
  });
});
