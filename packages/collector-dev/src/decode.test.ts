import { createCoreRegistry, FactoryTable, layoutMismatches, parseRawEvent, RawEventBuilder, readObjectBtf } from '@retis/core';
import { join } from 'path';
import { DEV_EVENT_LAYOUT, DEV_OWNER, DevFactory } from './decode';
import { devSection } from './sections';

const fmt = { multiLine: true, utc: false, linkLayer: false };

describe('DevFactory', () => {
  const table = new FactoryTable([new DevFactory()]);
  const dev = (values: Record<string, number | string | Buffer>) => {
    const buf = new RawEventBuilder().struct(DEV_OWNER, 1, DEV_EVENT_LAYOUT, values).build();
    return parseRawEvent(buf, 0, buf.length, table).dev;
  };

  it('decodes name, ifindex and rx_ifindex (omitted when 0)', () => {
    expect(dev({ dev_name: 'veth-ns01-ovs\0', ifindex: 10, iif: 10 })).toEqual({ name: 'veth-ns01-ovs', ifindex: 10, rx_ifindex: 10 });
    expect(dev({ dev_name: 'lo\0junk', ifindex: 1, iif: 0 })).toEqual({ name: 'lo', ifindex: 1 });
  });

  it('drops the section for a name without NUL or not in UTF-8', () => {
    expect(dev({ dev_name: 'x'.repeat(16), ifindex: 3 })).toBeUndefined();
    expect(dev({ dev_name: Buffer.from([0x65, 0xff, 0xfe, 0]), ifindex: 3 })).toBeUndefined();
    expect(dev({ dev_name: Buffer.from('é0\0'), ifindex: 3 })).toEqual({ name: 'é0', ifindex: 3 });
  });

  it('rejects a wrong size', () => {
    const buf = new RawEventBuilder().section(DEV_OWNER, 1, Buffer.alloc(20)).build();
    expect(() => parseRawEvent(buf, 0, buf.length, table)).toThrow('dev: section data dev_event is not the expected size (20 != 24)');
  });

  it('matches the layout of the built hook object', () => {
    const btf = readObjectBtf(join(__dirname, '../dist/dev_hook.bpf.o'));
    expect(layoutMismatches(btf, DEV_EVENT_LAYOUT)).toEqual([]);
  });
});

describe('dev section', () => {
  const reg = createCoreRegistry().register(devSection);

  it('formats if N (name) rxif R, leaving out what is empty', () => {
    expect(devSection.format!({ name: 'veth-ns01-ovs', ifindex: 10, rx_ifindex: 10 }, fmt, {})).toBe('if 10 (veth-ns01-ovs) rxif 10');
    expect(devSection.format!({ name: '', ifindex: 4 }, fmt, {})).toBe('if 4');
  });

  it('reads and writes {name, ifindex, rx_ifindex?}', () => {
    for (const line of ['{"dev":{"name":"veth-ns01","ifindex":11}}', '{"dev":{"name":"a\\"b","ifindex":10,"rx_ifindex":10}}']) {
      expect(reg.eventToJson(reg.eventFromJson(line))).toBe(line);
    }
    expect(() => reg.eventFromJson('{"dev":{"name":"x","ifindex":-1}}')).toThrow('dev.ifindex: expected u32, got -1');
  });
});
