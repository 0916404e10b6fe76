import { createCoreRegistry } from '@retis/core';
import { skbDropSection } from './sections';

const fmt = { multiLine: true, utc: false, linkLayer: false };

describe('skb-drop section', () => {
  const reg = createCoreRegistry().register(skbDropSection);

  it('reads and writes {subsys?, drop_reason} in the reference order', () => {
    const line = '{"skb-drop":{"subsys":"openvswitch","drop_reason":"OVS_DROP_LAST_ACTION"}}';
    const e = reg.eventFromJson(line);
    expect(e['skb-drop']).toEqual({ subsys: 'openvswitch', drop_reason: 'OVS_DROP_LAST_ACTION' });
    expect(reg.eventToJson(e)).toBe(line);
    expect(reg.eventToJson(reg.eventFromJson('{"skb-drop":{"drop_reason":"NO_SOCKET","subsys":null}}'))).toBe(
      '{"skb-drop":{"drop_reason":"NO_SOCKET"}}',
    );
  });

  it('formats with and without a subsystem', () => {
    expect(skbDropSection.format!({ drop_reason: 'NO_SOCKET' }, fmt, {})).toBe('drop (reason NO_SOCKET)');
    expect(skbDropSection.format!({ subsys: 'openvswitch', drop_reason: 'OVS_DROP_X' }, fmt, {})).toBe(
      'drop (reason openvswitch/OVS_DROP_X)',
    );
  });

  it('rejects a missing reason', () => {
    expect(() => reg.eventFromJson('{"skb-drop":{"subsys":"qdisc"}}')).toThrow('skb-drop.drop_reason: expected a string, got undefined');
  });
});
