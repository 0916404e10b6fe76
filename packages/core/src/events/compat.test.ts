import { applyFixups, CompatError, CompatLevel, compatLevelOf } from './compat';
import type { JsonValue } from './json';

describe('compatLevelOf', () => {
  it.each([
    ['v1.5.0', CompatLevel.V0],
    ['1.5.3', CompatLevel.V0],
    ['1.5.0-31584d349ace-dirty', CompatLevel.V0],
    ['v1.5.0+1.4.0-31584d349ace-dirty', CompatLevel.V0],
    ['v1.6.0', CompatLevel.V1],
    ['1.6.2-', CompatLevel.V1],
    ['v1.7.0', CompatLevel.V2],
    ['1.7.0+retis-ts.0.1.0', CompatLevel.V2],
    ['v1.10.0', CompatLevel.V2],
    ['2.0.0', CompatLevel.V2],
  ])('%s is level %d', (version, level) => {
    expect(compatLevelOf(version)).toBe(level);
  });

  it.each(['', 'v', '1.5.', '1.5.x', '1.5.0?foo', 'unspec'])('rejects %j', (version) => {
    expect(() => compatLevelOf(version)).toThrow(/Invalid Retis version string/);
  });

  it('rejects versions before the compatibility effort', () => {
    expect(() => compatLevelOf('v1.4.0')).toThrow(new CompatError('Unsupported Retis version (1.4.0)'));
  });
});

describe('applyFixups', () => {
  it('brings a 1.5 event (skb sub-objects) to the current shape', () => {
    const event: Record<string, JsonValue> = {
      skb: { packet: { len: 98, capture_len: 98, packet: 'AAEC' }, ns: { netns: 4026531840 }, dev: { name: 'eth0', ifindex: 2 }, meta: { len: 98 } },
      ct: { state: 'new', tcp_state: 'SYN_SENT' },
    };
    applyFixups(event, CompatLevel.V0);
    expect(event).toEqual({
      skb: { meta: { len: 98 } },
      packet: { len: 98, capture_len: 98, data: 'AAEC' },
      netns: { inum: 4026531840 },
      dev: { name: 'eth0', ifindex: 2 },
      ct: { state: 'new', ct_status: 0, proto_state: 'SYN_SENT' },
    });
  });

  it('completes a 1.6 startup event and renames tcp_state, also under parent', () => {
    const startup: Record<string, JsonValue> = {
      startup: { retis_version: 'v1.6.0', clock_monotonic_offset: { sec: 1, nsec: 2 } },
    };
    applyFixups(startup, CompatLevel.V1);
    expect(startup.startup).toEqual({
      retis_version: 'v1.6.0',
      clock_monotonic_offset: { sec: 1, nsec: 2 },
      machine: { kernel_release: 'unknown', kernel_version: 'unknown', hardware_name: 'unknown' },
      cmdline: 'unknown',
    });
    const ct: Record<string, JsonValue> = { ct: { tcp_state: 'ESTABLISHED', parent: { tcp_state: 'CLOSE' } } };
    applyFixups(ct, CompatLevel.V1);
    expect(ct).toEqual({ ct: { proto_state: 'ESTABLISHED', parent: { proto_state: 'CLOSE' } } });
  });

  it('leaves events without the fixed-up sections and current events untouched', () => {
    const event: Record<string, JsonValue> = { common: { timestamp: 1 }, skb: { cloned: true } };
    applyFixups(event, CompatLevel.V1);
    expect(event).toEqual({ common: { timestamp: 1 }, skb: { cloned: true } });
    const latest: Record<string, JsonValue> = { ct: { tcp_state: 'x' } };
    applyFixups(latest, CompatLevel.V2);
    expect(latest).toEqual({ ct: { tcp_state: 'x' } });
  });

  it('keeps an existing value over an added default, refuses to move onto an existing field', () => {
    const startup: Record<string, JsonValue> = { startup: { cmdline: 'retis collect', machine: { kernel_release: '6.1' } } };
    applyFixups(startup, CompatLevel.V1);
    expect(startup.startup).toEqual({
      cmdline: 'retis collect',
      machine: { kernel_release: '6.1', kernel_version: 'unknown', hardware_name: 'unknown' },
    });
    const clash: Record<string, JsonValue> = { ct: { tcp_state: 'a', proto_state: 'b' } };
    expect(() => applyFixups(clash, CompatLevel.V1)).toThrow("destination field 'ct/proto_state' already exists");
  });

  it('does not share added objects between events', () => {
    const a: Record<string, JsonValue> = { startup: {} };
    const b: Record<string, JsonValue> = { startup: {} };
    applyFixups(a, CompatLevel.V1);
    applyFixups(b, CompatLevel.V1);
    expect((a.startup as Record<string, JsonValue>).machine).not.toBe((b.startup as Record<string, JsonValue>).machine);
  });
});
