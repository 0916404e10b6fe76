/**
 * The kernel section's return value (kretprobe, fexit; docs/probes.md): raw
 * decoding through the probe's decoder, JSON both ways, console text.
 */
import { COMMON_EVENT_LAYOUT, CommonFactory, KERNEL_EVENT_LAYOUT, KERNEL_RETVAL_EVENT_LAYOUT, KernelFactory } from './core-factories';
import { kernelSection } from './core-sections';
import { FactoryTable, parseRawEvent } from './raw';
import { RawEventBuilder } from './raw-builder';

const fmt = { multiLine: true, utc: false, linkLayer: false };

function decode(withRetval: boolean, resolve: (raw: bigint) => bigint | undefined = (raw) => BigInt.asIntN(32, raw)) {
  const table = new FactoryTable([new CommonFactory(), new KernelFactory({
    resolveSymbol: () => ({ name: 'ip_rcv', probeType: 'fexit', retval: resolve }),
  })]);
  const b = new RawEventBuilder()
    .struct(1, 0, COMMON_EVENT_LAYOUT, { timestamp: 1n, smp_id: 0 })
    .struct(2, 0, KERNEL_EVENT_LAYOUT, { symbol: 1n, stack_id: -1n, type: 4 });
  if (withRetval) b.struct(2, 1, KERNEL_RETVAL_EVENT_LAYOUT, { retval: 0xdeadbeefffffffean });
  const buf = b.build();
  return parseRawEvent(buf, 0, buf.length, table).kernel;
}

describe('kernel section return value', () => {
  it('is decoded by the probe\'s decoder from the second kernel section', () => {
    expect(decode(true)).toEqual({ symbol: 'ip_rcv', probe_type: 'fexit', retval: -22n });
    expect(decode(false)).toEqual({ symbol: 'ip_rcv', probe_type: 'fexit' });
    // A decoder saying "nothing to report" (void functions).
    expect(decode(true, () => undefined)).toEqual({ symbol: 'ip_rcv', probe_type: 'fexit' });
  });

  it('is written last in JSON and read back, negative or beyond 2^63', () => {
    const k = { symbol: 'ip_rcv_core', probe_type: 'kretprobe', retval: 18446612686405241344n };
    expect(kernelSection.toJson(k)).toBe('{"symbol":"ip_rcv_core","probe_type":"kretprobe","retval":18446612686405241344}');
    expect(kernelSection.fromJson({ symbol: 'ip_rcv_core', probe_type: 'kretprobe', retval: 18446612686405241344n })).toEqual(k);
    expect(kernelSection.fromJson({ symbol: 'ip_rcv', probe_type: 'fexit', retval: -22 }).retval).toBe(-22n);
  });

  it('is printed after the symbol', () => {
    expect(kernelSection.format!({ symbol: 'ip_rcv', probe_type: 'fexit', retval: -22n }, fmt, {})).toBe('[fexit] ip_rcv ret -22');
    expect(kernelSection.format!({ symbol: 'ip_local_deliver', probe_type: 'fentry' }, fmt, {})).toBe('[fentry] ip_local_deliver');
    expect(kernelSection.format!({ symbol: 'ip_rcv', probe_type: 'kprobe' }, fmt, {})).toBe('[k] ip_rcv');
  });
});
