import { createCoreRegistry, FactoryTable, layoutMismatches, parseRawEvent, RawEventBuilder, readObjectBtf } from '@retis/core';
import { join } from 'path';
import { SKB_TRACKING_EVENT_LAYOUT, SKB_TRACKING_OWNER, SkbTrackingFactory } from './decode';
import { skbTrackingSection } from './sections';

const fmt = { multiLine: true, utc: false, linkLayer: false };

describe('SkbTrackingFactory', () => {
  const table = new FactoryTable([new SkbTrackingFactory()]);

  it('decodes the three u64 exactly', () => {
    const values = { orig_head: 0xffff8e95c3b67c00n, timestamp: 30419169061793n, skb: 0xffffffffffffffffn };
    const buf = new RawEventBuilder().struct(SKB_TRACKING_OWNER, 1, SKB_TRACKING_EVENT_LAYOUT, values).build();
    expect(parseRawEvent(buf, 0, buf.length, table)['skb-tracking']).toEqual(values);
  });

  it('rejects a wrong size or data type', () => {
    const short = new RawEventBuilder().section(SKB_TRACKING_OWNER, 1, Buffer.alloc(16)).build();
    expect(() => parseRawEvent(short, 0, short.length, table)).toThrow('(16 != 24)');
    const dt = new RawEventBuilder().section(SKB_TRACKING_OWNER, 0, Buffer.alloc(24)).build();
    expect(() => parseRawEvent(dt, 0, dt.length, table)).toThrow('skb-tracking: unknown data type 0');
  });

  it('matches the layout of the built hook object', () => {
    const btf = readObjectBtf(join(__dirname, '../dist/skb_tracking_hook.bpf.o'));
    expect(layoutMismatches(btf, SKB_TRACKING_EVENT_LAYOUT)).toEqual([]);
  });
});

describe('skb-tracking section', () => {
  const reg = createCoreRegistry().register(skbTrackingSection);

  it('formats #(timestamp << 64 | orig_head) and the skb address in hex', () => {
    const t = { orig_head: 18446619372617628672n, timestamp: 30419169061793n, skb: 18446619372874141952n };
    const id = ((t.timestamp << 64n) | t.orig_head).toString(16);
    expect(skbTrackingSection.format!(t, fmt, {})).toBe(`#${id} (skb ${t.skb.toString(16)})`);
    // A zero timestamp leaves the orig_head digits unpadded.
    expect(skbTrackingSection.format!({ ...t, timestamp: 0n, orig_head: 0xabcn }, fmt, {})).toBe(
      `#abc (skb ${t.skb.toString(16)})`,
    );
    // A small orig_head is padded to 16 digits under a non-zero timestamp.
    const small = { orig_head: 0x10n, timestamp: 1n, skb: 2n };
    expect(skbTrackingSection.format!(small, fmt, {})).toBe(`#${((1n << 64n) | 0x10n).toString(16)} (skb 2)`);
  });

  it('reads and writes {orig_head, timestamp, skb}, u64 always bigint', () => {
    const line = '{"skb-tracking":{"orig_head":18446619372617628672,"timestamp":30419169061793,"skb":18446619372874141952}}';
    const e = reg.eventFromJson(line);
    expect(e['skb-tracking']).toEqual({ orig_head: 18446619372617628672n, timestamp: 30419169061793n, skb: 18446619372874141952n });
    expect(reg.eventToJson(e)).toBe(line);
    expect(() => reg.eventFromJson('{"skb-tracking":{"orig_head":1,"timestamp":2}}')).toThrow('skb-tracking.skb: expected u64');
    expect(() => reg.eventFromJson('{"skb-tracking":{"orig_head":18446744073709551616,"timestamp":2,"skb":3}}')).toThrow(
      'skb-tracking.orig_head: expected u64, got 18446744073709551616',
    );
  });
});
