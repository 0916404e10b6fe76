import { createCoreRegistry, FactoryTable, layoutMismatches, parseRawEvent, RawEventBuilder, readObjectBtf } from '@retis/core';
import { join } from 'path';
import { NS_EVENT_LAYOUT, NS_OWNER, NsFactory } from './decode';
import { netnsSection } from './sections';

const fmt = { multiLine: true, utc: false, linkLayer: false };

describe('NsFactory', () => {
  const values = { cookie: 0x1_0000_0003n, inum: 4026532741 };
  const buf = new RawEventBuilder().struct(NS_OWNER, 0, NS_EVENT_LAYOUT, values).build();

  it('decodes the cookie and inum', () => {
    const table = new FactoryTable([new NsFactory()]);
    expect(parseRawEvent(buf, 0, buf.length, table).netns).toEqual(values);
  });

  it('leaves the cookie out when the kernel has no net_cookie', () => {
    const table = new FactoryTable([new NsFactory({ hasCookie: false })]);
    expect(parseRawEvent(buf, 0, buf.length, table).netns).toEqual({ inum: 4026532741 });
  });

  it('rejects a wrong data type', () => {
    const table = new FactoryTable([new NsFactory()]);
    const dt1 = new RawEventBuilder().section(NS_OWNER, 1, Buffer.alloc(16)).build();
    expect(() => parseRawEvent(dt1, 0, dt1.length, table)).toThrow('ns: unknown data type 1');
  });

  it('matches the layout of the built hook object', () => {
    const btf = readObjectBtf(join(__dirname, '../dist/ns_hook.bpf.o'));
    expect(layoutMismatches(btf, NS_EVENT_LAYOUT)).toEqual([]);
  });
});

describe('netns section', () => {
  const reg = createCoreRegistry().register(netnsSection);

  it('formats ns 0xcookie/inum or ns inum', () => {
    expect(netnsSection.format!({ cookie: 3n, inum: 4026532741 }, fmt, {})).toBe('ns 0x3/4026532741');
    expect(netnsSection.format!({ inum: 4026531840 }, fmt, {})).toBe('ns 4026531840');
  });

  it('reads and writes {cookie?, inum}, cookie a bigint', () => {
    const e = reg.eventFromJson('{"netns":{"cookie":18446744073709551615,"inum":4026531840}}');
    expect(e.netns).toEqual({ cookie: 18446744073709551615n, inum: 4026531840 });
    expect(reg.eventToJson(e)).toBe('{"netns":{"cookie":18446744073709551615,"inum":4026531840}}');
    expect(reg.eventFromJson('{"netns":{"cookie":1,"inum":2}}').netns?.cookie).toBe(1n);
    expect(reg.eventToJson(reg.eventFromJson('{"netns":{"inum":2}}'))).toBe('{"netns":{"inum":2}}');
  });
});
