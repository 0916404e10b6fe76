/**
 * `inspect -p` listings over the tracefs lists of a kernel with kprobes
 * (fixtures from the reference) and a made-up BTF in which only some
 * functions and tracepoints take a type the collectors know.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KernelInspector } from '../kernel/inspector';
import { Tracefs } from '../kernel/tracefs';
import { FakeBtf } from '../kernel/test-support/fake-btf';
import type { Logger } from '../log';
import { listingSpecs } from './listing';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7');
const SKB = { name: 'skb', type: 'struct sk_buff *' };
const SK = { name: 'sk', type: 'struct sock *' };

const btf = new FakeBtf({
  functions: {
    ip_rcv: { params: [SKB, { name: 'dev', type: 'struct net_device *' }], returns: 'int' },
    ip_rcv_core: { params: [SKB, { name: 'net', type: 'struct net *' }], returns: 'struct sk_buff *' },
    tcp_v4_rcv: { params: [SKB], returns: 'int' },
    tcp_v4_connect: { params: [SK], returns: 'int' },
    tcp_v4_do_rcv: { params: [SK, SKB], returns: 'int' },
    kfree_skb_reason: { params: [SKB, { name: 'reason', type: 'enum skb_drop_reason' }] },
  },
  tracepoints: {
    netif_receive_skb: { params: [SKB] },
    net_dev_queue: { params: [SKB] },
    napi_poll: { params: [{ name: 'napi', type: 'struct napi_struct *' }, { name: 'work', type: 'int' }] },
    kfree_skb: { params: [SKB, { name: 'location', type: 'void *' }, { name: 'reason', type: 'enum skb_drop_reason' }] },
  },
});

const known = new Set(['struct sk_buff *', 'enum skb_drop_reason']);

function setup(tracefs = true) {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-notracefs-'));
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m), debug: () => {}, info: () => {}, error: () => {} } as unknown as Logger;
  const kernel = new KernelInspector({ loadBtf: () => btf }, log, new Tracefs([tracefs ? FIXTURES : empty]));
  const list = (pattern: string) => kernel.listCompatible(pattern, known);
  return { list, warnings, cleanup: () => fs.rmSync(empty, { recursive: true, force: true }) };
}

describe('inspect -p', () => {
  it('lists compatible functions only, sorted', () => {
    const { list, cleanup } = setup();
    expect(list('kprobe:tcp_v4_*')).toEqual(['kprobe:tcp_v4_do_rcv', 'kprobe:tcp_v4_rcv']);
    expect(list('kr:ip_rcv*')).toEqual(['kretprobe:ip_rcv', 'kretprobe:ip_rcv_core']);
    cleanup();
  });

  it('lists compatible tracepoints with their group', () => {
    const { list, cleanup } = setup();
    // napi:napi_poll is listed by tracefs but takes no known type.
    expect(list('tp:*')).toEqual(['tp:net:net_dev_queue', 'tp:net:netif_receive_skb', 'tp:skb:kfree_skb']);
    cleanup();
  });

  it('tries a pattern without TYPE as kprobe, then as tracepoint', () => {
    const { list, cleanup } = setup();
    expect(list('*')).toEqual([
      'kprobe:ip_rcv', 'kprobe:ip_rcv_core', 'kprobe:kfree_skb_reason', 'kprobe:tcp_v4_do_rcv', 'kprobe:tcp_v4_rcv',
      'tp:net:net_dev_queue', 'tp:net:netif_receive_skb', 'tp:skb:kfree_skb',
    ]);
    // Only one kind matching is enough; tracepoint patterns apply to `group:event`.
    expect(list('kfree_skb*')).toEqual(['kprobe:kfree_skb_reason']);
    expect(list('*:kfree_skb')).toEqual(['tp:skb:kfree_skb']);
    expect(list('ip_rcv')).toEqual(['kprobe:ip_rcv']);
    cleanup();
  });

  it('fails when nothing matches', () => {
    const { list, cleanup } = setup();
    expect(() => list('no_such_thing')).toThrow("Could not find a traceable function matching 'no_such_thing'");
    expect(() => list('tp:net:nothing*')).toThrow("Could not find a tracepoint matching 'net:nothing*'");
    expect(() => list('a:b:c')).toThrow('Invalid TYPE a. See the help.');
    cleanup();
  });

  it('without tracefs, lists tracepoints from BTF by event name and says functions need tracefs', () => {
    const { list, warnings, cleanup } = setup(false);
    expect(list('*')).toEqual(['tp:*:kfree_skb', 'tp:*:net_dev_queue', 'tp:*:netif_receive_skb']);
    expect(warnings).toEqual([
      'Functions are not listed: listing kernel functions needs a readable available_filter_functions in tracefs (mount -t tracefs none /sys/kernel/tracing)',
    ]);
    expect(() => list('kprobe:ip_*')).toThrow('Could not get matching functions: listing kernel functions needs');
    // An exact function name still resolves through BTF.
    expect(list('kprobe:ip_rcv')).toEqual(['kprobe:ip_rcv']);
    expect(list('tp:net:netif_*')).toEqual(['tp:*:netif_receive_skb']);
    expect(warnings[1]).toBe('tracefs is not readable: tracepoint groups cannot be checked, only event names are matched');
    cleanup();
  });
});

describe('listingSpecs', () => {
  it('reads TYPE as collect does', () => {
    expect(listingSpecs('skb:kfree_skb')).toEqual([{ kind: 'raw_tracepoint', target: 'skb:kfree_skb', options: { stack: false } }]);
    expect(listingSpecs('fexit:ip_*')).toEqual([{ kind: 'fexit', target: 'ip_*', options: { stack: false } }]);
    expect(listingSpecs('x').map((s) => s.kind)).toEqual(['kprobe', 'raw_tracepoint']);
  });
});
