import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KernelInspector } from '../kernel/inspector';
import { Tracefs } from '../kernel/tracefs';
import { FakeBtf } from '../kernel/test-support/fake-btf';
import { kallsymsText, runningKernelFacts } from './kernel-facts';
import { recordingLog } from './test-support/recording-log';

const SKB = [{ name: 'skb', type: 'struct sk_buff *' }];

describe('runningKernelFacts', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-facts-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** BTF knows ip_rcv, consume_skb and the kfree_skb/netif_rx tracepoints. */
  function facts(tracefs: { events?: string[]; functions?: string[] }, kallsyms: string[] = []) {
    if (tracefs.events) fs.writeFileSync(path.join(tmp, 'available_events'), `${tracefs.events.join('\n')}\n`);
    if (tracefs.functions) fs.writeFileSync(path.join(tmp, 'available_filter_functions'), `${tracefs.functions.join('\n')}\n`);
    const btf = new FakeBtf({
      functions: { ip_rcv: { params: SKB }, consume_skb: { params: SKB } },
      tracepoints: { kfree_skb: { params: SKB }, netif_rx: { params: SKB } },
    });
    let inspectors = 0;
    const f = runningKernelFacts({
      inspector: () => {
        inspectors++;
        return new KernelInspector({ loadBtf: () => btf }, recordingLog(), new Tracefs([tmp]));
      },
      kallsyms: () => ({ has: (n: string) => kallsyms.includes(n) }),
      release: () => '6.18.44-fc-v769',
    });
    return { f, inspectors: () => inspectors };
  }

  it('finds tracepoints by BTF and, when readable, available_events', () => {
    const { f } = facts({ events: ['skb:kfree_skb', 'net:netif_rx_nope'] });
    expect(f.symbolExists('skb:kfree_skb')).toBe(true);
    // In BTF but not listed by tracefs.
    expect(f.symbolExists('net:netif_rx')).toBe(false);
    // Listed but without BTF.
    expect(f.symbolExists('net:netif_rx_nope')).toBe(false);
  });

  it('finds tracepoints by BTF alone without tracefs', () => {
    const { f } = facts({});
    expect(f.symbolExists('net:netif_rx')).toBe(true);
    expect(f.symbolExists('net:napi_gro_frags_entry')).toBe(false);
  });

  it('finds functions by BTF and available_filter_functions', () => {
    const { f } = facts({ functions: ['ip_rcv', 'tcp_v4_rcv'] });
    expect(f.symbolExists('ip_rcv')).toBe(true);
    expect(f.symbolExists('consume_skb')).toBe(false);
    expect(f.symbolExists('tcp_v4_rcv')).toBe(false);
  });

  it('finds functions by BTF and kallsyms without tracefs', () => {
    const { f } = facts({}, ['consume_skb']);
    expect(f.symbolExists('consume_skb')).toBe(true);
    expect(f.symbolExists('ip_rcv')).toBe(false);
  });

  it('never matches patterns or malformed names', () => {
    const { f } = facts({}, ['ip_rcv', 'consume_skb']);
    for (const name of ['ip_*', 'skb:*', 'a:b:c', '']) expect(f.symbolExists(name)).toBe(false);
  });

  it('loads the kernel sources only when a symbol is asked, once', () => {
    const { f, inspectors } = facts({});
    expect(f.release()).toBe('6.18.44-fc-v769');
    expect(inspectors()).toBe(0);
    f.symbolExists('ip_rcv');
    f.symbolExists('skb:kfree_skb');
    expect(inspectors()).toBe(1);
  });
});

describe('kallsymsText', () => {
  it('finds whole names, of the kernel and of modules', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-kallsyms-'));
    const file = path.join(dir, 'kallsyms');
    fs.writeFileSync(file, [
      'ffffffff81000000 T ip_rcv',
      'ffffffff81000100 t ip_rcv_core',
      'ffffffffc0000000 t ovs_vport_receive\t[openvswitch]',
      '',
    ].join('\n'));
    const table = kallsymsText(file);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(table.has('ip_rcv')).toBe(true);
    expect(table.has('ip_rcv_core')).toBe(true);
    expect(table.has('ovs_vport_receive')).toBe(true);
    expect(table.has('rcv')).toBe(false);
    expect(table.has('ip_rcv_')).toBe(false);
  });
});
