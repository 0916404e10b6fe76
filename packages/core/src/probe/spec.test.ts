import { parseProbeSpec, probeKey } from './spec';

describe('parseProbeSpec', () => {
  it.each([
    ['tp:net:netif_receive_skb', 'raw_tracepoint', 'net:netif_receive_skb'],
    ['raw_tracepoint:skb:kfree_skb', 'raw_tracepoint', 'skb:kfree_skb'],
    ['skb:kfree_skb', 'raw_tracepoint', 'skb:kfree_skb'],
    ['ip_rcv', 'kprobe', 'ip_rcv'],
    ['k:ip_rcv', 'kprobe', 'ip_rcv'],
    ['kr:ip_rcv', 'kretprobe', 'ip_rcv'],
    ['kretprobe:tcp_v4_*', 'kretprobe', 'tcp_v4_*'],
    ['fexit:ip_rcv', 'fexit', 'ip_rcv'],
  ])('%s', (input, kind, target) => {
    const spec = parseProbeSpec(input);
    expect(spec.kind).toBe(kind);
    expect(spec.target).toBe(target);
    expect(spec.options.stack).toBe(false);
  });

  it('reads the stack option', () => {
    expect(parseProbeSpec('tp:skb:kfree_skb/stack').options.stack).toBe(true);
  });

  it.each([
    ['tp:skb:kfree_skb/', 'empty probe option'],
    ['tp:skb:kfree_skb/stack/stack', "option 'stack' given twice"],
    ['tp:skb:kfree_skb/foo', "'foo' is an invalid probe option."],
    ['foo:bar:baz', 'Invalid TYPE foo. See the help.'],
    ['tp:kfree_skb', 'expected GROUP:EVENT'],
    ['k:', 'empty target'],
  ])('rejects %s', (input, message) => {
    expect(() => parseProbeSpec(input)).toThrow(message);
  });

  it('formats keys like the reference', () => {
    expect(probeKey(parseProbeSpec('net:netif_rx'))).toBe('tp:net:netif_rx');
    expect(probeKey(parseProbeSpec('k:ip_rcv'))).toBe('kprobe:ip_rcv');
  });
});
