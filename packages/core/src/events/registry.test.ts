import type { RetisEvent } from './types';
import { CompatLevel } from './compat';
import { createCoreRegistry, EventFormatError, SectionRegistry } from './registry';
import type { SectionDefinition } from './section';

const fooSection: SectionDefinition<{ n: bigint }> = {
  key: 'foo',
  fromJson: (v) => ({ n: BigInt((v as { n: number | bigint }).n) }),
  toJson: (s) => `{"n":${s.n}}`,
};

describe('SectionRegistry', () => {
  it('refuses a key registered twice, naming both registrants', () => {
    const reg = createCoreRegistry();
    expect(() => reg.register({ ...fooSection, key: 'common' }, 'my-plugin')).toThrow(
      'Section "common" is registered twice: by @retis/core and by my-plugin',
    );
  });

  it('writes keys in the reference order, then other keys in event order', () => {
    const reg = createCoreRegistry().register(fooSection, 'test');
    const event = {
      zzz: { a: 1 },
      startup: {
        retis_version: 'v1.7.0',
        cmdline: 'retis collect',
        clock_monotonic_offset: { sec: 1n, nsec: 2n },
        machine: { kernel_release: 'r', kernel_version: 'v', hardware_name: 'x86_64' },
      },
      foo: { n: 18446744073709551615n },
      ovs: { event_type: 'upcall', cpu: 1 } as unknown as RetisEvent['ovs'],
      common: { timestamp: 12n },
      'skb-drop': { drop_reason: 'NO_SOCKET' },
      kernel: { symbol: 'skb:kfree_skb', probe_type: 'raw_tracepoint' },
      aaa: [1, 2],
    };
    const keys = Object.keys(JSON.parse(reg.eventToJson(event)));
    expect(keys).toEqual(['common', 'kernel', 'skb-drop', 'ovs', 'startup', 'zzz', 'foo', 'aaa']);
    expect(reg.eventToJson(event)).toContain('"foo":{"n":18446744073709551615}');
  });

  it('skips absent sections', () => {
    const reg = createCoreRegistry();
    expect(reg.eventToJson({ common: { timestamp: 1n }, kernel: undefined, ct: null } as unknown as RetisEvent)).toBe('{"common":{"timestamp":1}}');
  });

  it('reads registered sections through fromJson and keeps unknown ones as parsed', () => {
    const reg = createCoreRegistry();
    const line = '{"common":{"timestamp":5,"smp_id":null},"nft":{"table_handle":18446744073709551615,"x":[1]},"skb":null}';
    const event = reg.eventFromJson(line);
    expect(event).toEqual({ common: { timestamp: 5n }, nft: { table_handle: 18446744073709551615n, x: [1] } });
    expect(reg.eventToJson(event)).toBe('{"common":{"timestamp":5},"nft":{"table_handle":18446744073709551615,"x":[1]}}');
  });

  it('keeps a __proto__ key as data', () => {
    const reg = createCoreRegistry();
    const e = reg.eventFromJson('{"common":{"timestamp":1},"__proto__":{"polluted":true}}');
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    expect(reg.eventToJson(e)).toBe('{"common":{"timestamp":1},"__proto__":{"polluted":true}}');
  });

  it('names the section and field of a malformed value', () => {
    const reg = createCoreRegistry();
    expect(() => reg.eventFromJson('{"common":{"timestamp":"soon"}}')).toThrow(
      new EventFormatError('Invalid "common" section: common.timestamp: expected u64, got "soon"'),
    );
    expect(() => reg.eventFromJson('{"common":{"timestamp":-1}}')).toThrow(/expected u64, got -1/);
    expect(() => reg.eventFromJson('[1]')).toThrow('Expected an event (a JSON object)');
  });

  it('applies compatibility fix-ups before the sections read the event', () => {
    const reg = createCoreRegistry();
    const line = '{"common":{"timestamp":1},"startup":{"retis_version":"v1.6.0","clock_monotonic_offset":{"sec":1,"nsec":2}}}';
    expect(() => reg.eventFromJson(line)).toThrow(/startup.cmdline: expected a string/);
    expect(reg.eventFromJson(line, CompatLevel.V1).startup).toEqual({
      retis_version: 'v1.6.0',
      cmdline: 'unknown',
      clock_monotonic_offset: { sec: 1n, nsec: 2n },
      machine: { kernel_release: 'unknown', kernel_version: 'unknown', hardware_name: 'unknown' },
    });
  });

  it('reads and writes series', () => {
    const reg = createCoreRegistry();
    const line = '[{"common":{"timestamp":1}},{"common":{"timestamp":2},"tracking":{"idx":1,"skb":{"orig_head":1,"timestamp":2,"skb":3}}}]';
    const series = reg.seriesFromJson(line);
    expect(series[1].tracking).toEqual({ skb: { orig_head: 1n, timestamp: 2n, skb: 3n }, idx: 1 });
    expect(reg.seriesToJson(series)).toBe(
      '[{"common":{"timestamp":1}},{"common":{"timestamp":2},"tracking":{"skb":{"orig_head":1,"timestamp":2,"skb":3},"idx":1}}]',
    );
    expect(() => reg.seriesFromJson('{"common":{"timestamp":1}}')).toThrow('Expected a series');
  });

  it('lists registered keys in writing order', () => {
    const reg = new SectionRegistry().register(fooSection).registerAll(createCoreRegistry().keys().map((k) => ({ ...fooSection, key: k })));
    expect(reg.keys()).toEqual(['common', 'kernel', 'userspace', 'tracking', 'startup', 'foo']);
  });
});
