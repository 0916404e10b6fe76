import {
  COMMON_EVENT_LAYOUT,
  COMMON_TASK_EVENT_LAYOUT,
  CommonFactory,
  KERNEL_EVENT_LAYOUT,
  KernelFactory,
} from './core-factories';
import { LITTLE_ENDIAN } from './layout';
import { FactoryTable, parseRawEvent, RawSectionError } from './raw';
import { RawEventBuilder } from './raw-builder';
import type { RawSection, SectionFactory } from './section';
import type { RetisEvent } from './types';

const SYMBOLS = new Map<bigint, string>([
  [0xffffffff81a00000n, 'net:netif_receive_skb'],
  [0xffffffff81b00000n, 'ip_rcv'],
]);

function kernelFactory(stacks?: Map<number, string[]>): KernelFactory {
  return new KernelFactory({
    resolveSymbol: (addr) => {
      const name = SYMBOLS.get(addr);
      return name === undefined ? undefined : { name };
    },
    resolveStack: stacks && ((id) => stacks.get(id)),
  });
}

/** Records what a factory received (copies: the parser reuses its objects). */
class Recorder implements SectionFactory {
  calls: RawSection[][] = [];
  constructor(readonly owner: number) {}
  decode(_buf: Buffer, sections: RawSection[]): void {
    this.calls.push(sections.map((s) => ({ ...s })));
  }
}

function coreEvent(b = new RawEventBuilder()): RawEventBuilder {
  return b
    .struct(1, 0, COMMON_EVENT_LAYOUT, { timestamp: 30419169061793n, smp_id: 6 })
    .struct(1, 1, COMMON_TASK_EVENT_LAYOUT, { pid_tgid: (995n << 32n) | 985n, comm: 'handler8\0' })
    .struct(2, 0, KERNEL_EVENT_LAYOUT, { symbol: 0xffffffff81a00000n, stack_id: -1n, type: 2 });
}

describe('parseRawEvent', () => {
  it('decodes the common and kernel sections (pid is the upper half of pid_tgid)', () => {
    const table = new FactoryTable([new CommonFactory(), kernelFactory()]);
    const buf = coreEvent().build();
    const event = parseRawEvent(buf, 0, buf.length, table);
    expect(event).toEqual({
      common: { timestamp: 30419169061793n, smp_id: 6, task: { pid: 995, tgid: 985, comm: 'handler8' } },
      kernel: { symbol: 'net:netif_receive_skb', probe_type: 'raw_tracepoint' },
    });
  });

  it('maps the probe type byte and resolves stacks for non-negative stack ids', () => {
    const stacks = new Map([[7, ['ip_rcv+0x10', 'netif_receive_skb+0x4a']]]);
    const table = new FactoryTable([new CommonFactory(), kernelFactory(stacks)]);
    for (const [type, name] of [
      [0, 'kprobe'],
      [1, 'kretprobe'],
      [2, 'raw_tracepoint'],
    ] as const) {
      const buf = new RawEventBuilder()
        .struct(1, 0, COMMON_EVENT_LAYOUT, { timestamp: 1n })
        .struct(2, 0, KERNEL_EVENT_LAYOUT, { symbol: 0xffffffff81b00000n, stack_id: 7n, type })
        .build();
      expect(parseRawEvent(buf, 0, buf.length, table).kernel).toEqual({
        symbol: 'ip_rcv',
        probe_type: name,
        stack_trace: ['ip_rcv+0x10', 'netif_receive_skb+0x4a'],
      });
    }
  });

  it('reads a record in the middle of a batch buffer through a shared DataView', () => {
    const table = new FactoryTable([new CommonFactory(), kernelFactory()]);
    const rec = coreEvent().build();
    const batch = Buffer.concat([Buffer.alloc(13, 0xee), rec, Buffer.alloc(5, 0xee)]);
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    const event = parseRawEvent(batch, 13, rec.length, table, {}, view);
    expect(event.common?.timestamp).toBe(30419169061793n);
    expect(event.kernel?.symbol).toBe('net:netif_receive_skb');
  });

  it('groups sections by owner and calls each factory once, in first-seen order', () => {
    const a = new Recorder(9);
    const b = new Recorder(4);
    const table = new FactoryTable([a, b]);
    const buf = new RawEventBuilder()
      .section(4, 1, Buffer.alloc(3))
      .section(9, 2, Buffer.alloc(5))
      .section(4, 7, Buffer.alloc(1))
      .build();
    parseRawEvent(buf, 0, buf.length, table);
    expect(b.calls).toEqual([
      [
        { owner: 4, dataType: 1, offset: 6, size: 3 },
        { owner: 4, dataType: 7, offset: 22, size: 1 },
      ],
    ]);
    expect(a.calls).toEqual([[{ owner: 9, dataType: 2, offset: 13, size: 5 }]]);
    // A second event starts from empty groups.
    const again = new RawEventBuilder().section(9, 3, Buffer.alloc(2)).build();
    parseRawEvent(again, 0, again.length, table);
    expect(b.calls).toHaveLength(1);
    expect(a.calls[1]).toEqual([{ owner: 9, dataType: 3, offset: 6, size: 2 }]);
  });

  it('rejects a record too short, empty, or smaller than its size', () => {
    const table = new FactoryTable([]);
    expect(() => parseRawEvent(Buffer.from([5]), 0, 1, table)).toThrow(new RawSectionError('Raw event too short (1 byte(s))'));
    expect(() => parseRawEvent(Buffer.from([0, 0, 1]), 0, 3, table)).toThrow('Raw event is empty');
    const buf = coreEvent().build();
    expect(() => parseRawEvent(buf, 0, buf.length - 1, table)).toThrow(/Raw event size \d+ exceeds the record/);
    expect(() => parseRawEvent(buf, 4, buf.length, table)).toThrow(/outside the buffer/);
  });

  it('stops at a section running past the end, skips empty sections and unknown owners, and warns', () => {
    const warnings: string[] = [];
    const rec = new Recorder(4);
    const table = new FactoryTable([rec], (m) => warnings.push(m));
    const truncated = new RawEventBuilder().section(4, 1, Buffer.alloc(2)).raw(Buffer.from([4, 2, 50, 0, 1, 2])).build();
    parseRawEvent(truncated, 0, truncated.length, table);
    expect(rec.calls).toEqual([[{ owner: 4, dataType: 1, offset: 6, size: 2 }]]);
    expect(warnings).toEqual([expect.stringContaining('runs past the event end')]);

    warnings.length = 0;
    const odd = new RawEventBuilder().section(4, 1, Buffer.alloc(0)).section(77, 1, Buffer.alloc(4)).raw(Buffer.from([4, 1])).build();
    parseRawEvent(odd, 0, odd.length, table);
    expect(warnings).toEqual([
      expect.stringContaining('empty section (owner 4, data type 1)'),
      expect.stringContaining('unknown section owner 77'),
      expect.stringContaining('section header at byte'),
    ]);
  });

  it('rate-limits repeated warnings of the same kind', () => {
    const warnings: string[] = [];
    const table = new FactoryTable([], (m) => warnings.push(m));
    const buf = new RawEventBuilder().section(77, 1, Buffer.alloc(4)).build();
    for (let i = 0; i < 100; i++) parseRawEvent(buf, 0, buf.length, table);
    expect(warnings).toEqual(['Raw event: unknown section owner 77 skipped']);
  });

  it('reports size mismatches and unknown data types of the core sections', () => {
    const table = new FactoryTable([new CommonFactory(), kernelFactory()]);
    const short = new RawEventBuilder().section(1, 0, Buffer.alloc(12)).build();
    expect(() => parseRawEvent(short, 0, short.length, table)).toThrow(
      'common: section data common_event is not the expected size (12 != 16)',
    );
    const badType = new RawEventBuilder().section(1, 9, Buffer.alloc(16)).build();
    expect(() => parseRawEvent(badType, 0, badType.length, table)).toThrow('common: unknown data type 9');
    const noTs = new RawEventBuilder().struct(1, 1, COMMON_TASK_EVENT_LAYOUT, { comm: 'x' }).build();
    expect(() => parseRawEvent(noTs, 0, noTs.length, table)).toThrow(/no common_event section/);
    const noNul = new RawEventBuilder()
      .struct(1, 0, COMMON_EVENT_LAYOUT, { timestamp: 1n })
      .struct(1, 1, COMMON_TASK_EVENT_LAYOUT, { comm: 'x'.repeat(64) })
      .build();
    expect(() => parseRawEvent(noNul, 0, noNul.length, table)).toThrow('common: task comm is not NUL-terminated');
    // A comm cut inside a UTF-8 character keeps the event, with a replacement character.
    const cut = new RawEventBuilder()
      .struct(1, 0, COMMON_EVENT_LAYOUT, { timestamp: 1n })
      .struct(1, 1, COMMON_TASK_EVENT_LAYOUT, { comm: Buffer.concat([Buffer.from('abcdefghijklmn'), Buffer.from('é').subarray(0, 1), Buffer.from([0])]) })
      .build();
    expect(parseRawEvent(cut, 0, cut.length, table).common?.task?.comm).toBe('abcdefghijklmn\ufffd');
    const badSym = new RawEventBuilder().struct(2, 0, KERNEL_EVENT_LAYOUT, { symbol: 0x1234n, type: 2 }).build();
    expect(() => parseRawEvent(badSym, 0, badSym.length, table)).toThrow('kernel: no symbol at address 0x1234');
    const badProbe = new RawEventBuilder().struct(2, 0, KERNEL_EVENT_LAYOUT, { symbol: 0xffffffff81b00000n, type: 9 }).build();
    expect(() => parseRawEvent(badProbe, 0, badProbe.length, table)).toThrow('kernel: unknown probe type 9');
  });

  it('lets the symbol resolver name the probe type', () => {
    const table = new FactoryTable([
      new KernelFactory({ resolveSymbol: () => ({ name: 'kfree_skb_reason', probeType: 'fexit' }) }),
    ]);
    const buf = new RawEventBuilder().struct(2, 0, KERNEL_EVENT_LAYOUT, { symbol: 1n, type: 0 }).build();
    expect(parseRawEvent(buf, 0, buf.length, table).kernel).toEqual({ symbol: 'kfree_skb_reason', probe_type: 'fexit' });
  });

  it('refuses two factories for one owner and invalid owner ids', () => {
    expect(() => new FactoryTable([new Recorder(4), new Recorder(4)])).toThrow('Two section factories for owner 4');
    expect(() => new FactoryTable([new Recorder(0)])).toThrow(/Invalid section owner id 0/);
  });

  it('fills an event passed in by the caller', () => {
    const table = new FactoryTable([new CommonFactory()]);
    const buf = new RawEventBuilder().struct(1, 0, COMMON_EVENT_LAYOUT, { timestamp: 5n, smp_id: 1 }).build();
    const event: RetisEvent = { custom: true };
    expect(parseRawEvent(buf, 0, buf.length, table, event)).toBe(event);
    expect(event).toEqual({ custom: true, common: { timestamp: 5n, smp_id: 1 } });
  });

  it('reads the size in host byte order', () => {
    const buf = new RawEventBuilder().section(1, 0, Buffer.alloc(16)).build();
    const expected = LITTLE_ENDIAN ? buf[0] : buf[1];
    expect(expected).toBe(20);
  });
});
