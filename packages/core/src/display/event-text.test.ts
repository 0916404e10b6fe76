import { readFileSync } from 'fs';
import { join } from 'path';
import { DEV_SECTIONS } from '../../../collector-dev/src/sections';
import { NS_SECTIONS } from '../../../collector-ns/src/sections';
import { SKB_SECTIONS } from '../../../collector-skb/src/sections';
import { SKB_DROP_SECTIONS } from '../../../collector-skb-drop/src/sections';
import { SKB_TRACKING_SECTIONS } from '../../../collector-skb-tracking/src/sections';
import { EventsFileReader } from '../events/file-reader';
import { createCoreRegistry } from '../events/registry';
import type { DisplayFormat } from '../events/section';
import type { RetisEvent } from '../events/types';
import { formatEvent } from './event-text';
import { formatSeries } from './series-text';
import { TextBlock } from './text-block';

const FIXTURES = join(__dirname, '../../../../test/fixtures/retis-1.7');
const registry = createCoreRegistry()
  .registerAll(SKB_TRACKING_SECTIONS)
  .registerAll(SKB_DROP_SECTIONS)
  .registerAll(SKB_SECTIONS)
  .registerAll(DEV_SECTIONS)
  .registerAll(NS_SECTIONS);
const multi: DisplayFormat = { multiLine: true, utc: false, linkLayer: false };
const single: DisplayFormat = { multiLine: false, utc: false, linkLayer: false };

function readEvents(name: string): RetisEvent[] {
  const reader = EventsFileReader.open(join(FIXTURES, name), { registry });
  const events = [...reader.events()];
  reader.close();
  return events;
}

/** The text Retis printed for each event, from the comments of the pcap it wrote. */
function retisTexts(): string[] {
  const d = readFileSync(join(FIXTURES, 'test_events_packets.pcap'));
  const out: string[] = [];
  for (let off = 0; off < d.length; off += d.readUInt32LE(off + 4)) {
    if (d.readUInt32LE(off) !== 6) continue;
    const o = off + 28 + ((d.readUInt32LE(off + 20) + 3) & ~3);
    if (d.readUInt16LE(o) === 1) out.push(d.subarray(o + 4, o + 4 + d.readUInt16LE(o + 2)).toString('utf8'));
  }
  return out;
}

/** Line 1 as the reference composes it, from the event's values. */
function expectedFirstLine(e: RetisEvent): string {
  const c = e.common!;
  const t = c.task!;
  const task = t.pid === t.tgid ? `${t.tgid}` : `${t.pid}/${t.tgid}`;
  const tag = { raw_tracepoint: 'tp', kprobe: 'k', kretprobe: 'kr' }[e.kernel!.probe_type];
  const st = e['skb-tracking']!;
  const id = ((st.timestamp << 64n) | st.orig_head).toString(16);
  const drop = e['skb-drop'] !== undefined ? ` drop (reason ${e['skb-drop'].drop_reason})` : '';
  return `${c.timestamp} (${c.smp_id}) [${t.comm}] ${task} [${tag}] ${e.kernel!.symbol} #${id} (skb ${st.skb.toString(16)})${drop}`;
}

/** The skb line as the reference composes it (§4.1), from the meta and data_ref values. */
function expectedSkbLine(e: RetisEvent): string {
  const m = e.skb!.meta!;
  const d = e.skb!.data_ref!;
  const csum = ['none', `unnecessary (level ${m.csum_level})`, `complete (0x${m.csum.toString(16)})`][m.ip_summed];
  const hash = m.hash !== 0 ? `hash 0x${m.hash.toString(16)} ` : '';
  const dataLen = m.data_len !== 0 ? `data_len ${m.data_len} ` : '';
  const flags = (d.nohdr ? 'nohdr ' : '') + (d.cloned ? 'cloned ' : '') + (d.fclone > 0 ? `fclone ${d.fclone} ` : '');
  return `  skb [csum ${csum} ${hash}len ${m.len} ${dataLen}priority ${m.priority} ${flags}users ${d.users} dataref ${d.dataref}]`;
}

describe('formatEvent on the Retis fixtures', () => {
  const events = readEvents('test_events_packets.json').slice(1);

  it('prints the lines Retis printed (ovs and ct have no formatter yet: their lines are left out)', () => {
    const texts = retisTexts();
    expect(texts).toHaveLength(events.length);
    events.forEach((e, i) => {
      const retisLines = texts[i].split('\n');
      // ovs then ct are the last sections of the layout, one line each here.
      const missing = (e.ovs !== undefined ? 1 : 0) + (e.ct !== undefined ? 1 : 0);
      expect(formatEvent(e, registry, multi)).toBe(retisLines.slice(0, retisLines.length - missing).join('\n'));
    });
  });

  it('composes line 1 from common, kernel and skb-tracking values', () => {
    for (const e of events) expect(formatEvent(e, registry, multi).split('\n')[0]).toBe(expectedFirstLine(e));
  });

  it('puts netns and dev on one line and the skb metadata on the next', () => {
    for (const e of events) {
      const lines = formatEvent(e, registry, multi).split('\n');
      const ns = e.netns!;
      const dev = e.dev!;
      const rx = dev.rx_ifindex !== undefined ? ` rxif ${dev.rx_ifindex}` : '';
      expect(lines[2]).toBe(`  ns 0x${ns.cookie!.toString(16)}/${ns.inum} if ${dev.ifindex} (${dev.name})${rx}`);
      expect(lines[3]).toBe(expectedSkbLine(e));
    }
  });

  it('joins the same parts with single spaces in single-line mode', () => {
    for (const e of events) {
      const text = formatEvent(e, registry, single);
      expect(text).not.toContain('\n');
      expect(text).toBe(formatEvent(e, registry, multi).split('\n').map((l) => l.trim()).join(' '));
    }
  });

  it('prints the drop reason at the end of line 1', () => {
    const drop = readEvents('test_events.json')[4];
    expect(formatEvent(drop, registry, multi)).toBe(
      '23868955449721 (0) [napi/phy0-8197] 1360 [tp] skb:kfree_skb #15b56c9c2a04ffff8c0a75bdb400 (skb ffff8c0527c39200)' +
        ' drop (reason NO_SOCKET)',
    );
    // The tracking id of that line, from the file's values: (23868955437572 << 64) | 18446616575285769216.
    expect(((23868955437572n << 64n) | 18446616575285769216n).toString(16)).toBe('15b56c9c2a04ffff8c0a75bdb400');
  });
});

describe('formatEvent layout', () => {
  const base: RetisEvent = {
    common: { timestamp: 136852156905n, smp_id: 3, task: { pid: 0, tgid: 0, comm: 'swapper/3' } },
    kernel: { symbol: 'ip_local_deliver', probe_type: 'kprobe', stack_trace: ['ip_local_deliver+0x1', 'ip_rcv+0x2a'] },
    netns: { inum: 4026531840 },
  };

  it('indents the stack by 4 and the sections by 2', () => {
    expect(formatEvent(base, registry, multi)).toBe(
      '136852156905 (3) [swapper/3] 0 [k] ip_local_deliver\n    ip_local_deliver+0x1\n    ip_rcv+0x2a\n  ns 4026531840',
    );
    expect(formatEvent(base, registry, single)).toBe(
      '136852156905 (3) [swapper/3] 0 [k] ip_local_deliver [ip_local_deliver+0x1, ip_rcv+0x2a] ns 4026531840',
    );
  });

  it('puts dev on its own line without netns, and prints userspace and unknown probe types', () => {
    const e: RetisEvent = {
      common: { timestamp: 5n, task: { pid: 985, tgid: 995, comm: 'handler8' } },
      userspace: { probe_type: 'usdt', symbol: 'dpif_recv:recv_upcall', ip: 1n, path: '/usr/sbin/ovs-vswitchd', pid: 985, tid: 995 },
      dev: { name: '', ifindex: 4 },
    };
    expect(formatEvent(e, registry, multi)).toBe('5 [handler8] 985/995 [u] dpif_recv:recv_upcall (ovs-vswitchd)\n  if 4');
    const odd: RetisEvent = { common: { timestamp: 5n }, kernel: { symbol: 'x', probe_type: 'uprobe' } };
    expect(formatEvent(odd, registry, multi)).toBe('5 [invalid] x');
  });

  it('prints the sections of an event without a first line, without a leading separator', () => {
    expect(formatEvent({ netns: { inum: 7 }, dev: { name: 'lo', ifindex: 1 } }, registry, multi)).toBe('  ns 7 if 1 (lo)');
    // A section nobody registered in this registry prints nothing.
    expect(formatEvent({ ct: { state: 'new' } } as unknown as RetisEvent, registry, multi)).toBe('');
  });

  it('prefers tracking over skb-tracking on line 1', () => {
    const skb = { orig_head: 0xffff889641716940n, timestamp: 0x1fdd03636dn, skb: 0xffff889642506300n };
    const e: RetisEvent = { common: { timestamp: 1n }, 'skb-tracking': skb, tracking: { skb, idx: 3 } };
    expect(formatEvent(e, registry, multi)).toBe('1 #1fdd03636dffff889641716940 (skb ffff889642506300) n 3');
  });

  it('prints the startup section on indented lines', () => {
    const e: RetisEvent = {
      common: { timestamp: 9n },
      startup: {
        retis_version: 'v1.7.0',
        cmdline: 'retis collect',
        clock_monotonic_offset: { sec: 0n, nsec: 0n },
        machine: { kernel_release: '6.18.0', kernel_version: '#1 SMP', hardware_name: 'x86_64' },
        split_file: { id: 2, policy: { kind: 'size', limit: 1000n } },
      },
    };
    expect(formatEvent(e, registry, multi)).toBe(
      '9\n  collected with Retis v1.7.0\n  on machine 6.18.0 #1 SMP x86_64\n  file id 2\n  cmdline retis collect',
    );
  });

  it('uses the UTC date once the clock offset is known', () => {
    const utc: DisplayFormat = { ...multi, utc: true };
    const e: RetisEvent = { common: { timestamp: 23868643385999n } };
    expect(formatEvent(e, registry, utc)).toBe('23868643385999');
    utc.monotonicOffset = 1742309146n * 1_000_000_000n + 691042000n;
    const wall = new Date(Number((23868643385999n + utc.monotonicOffset) / 1_000_000n)).toISOString();
    const micros = ((23868643385999n + utc.monotonicOffset) / 1000n) % 1_000_000n;
    expect(formatEvent(e, registry, utc)).toBe(`${wall.slice(0, 10)} ${wall.slice(11, 19)}.${String(micros).padStart(6, '0')}`);
  });
});

describe('formatSeries', () => {
  it('marks following events with an arrow and indents their sections to 6', () => {
    const reader = EventsFileReader.open(join(FIXTURES, 'test_events_sorted.json'), { registry });
    const series = [...reader.series()];
    reader.close();
    const two = series[2];
    const first = expectedFirstLine(two[0]) + ' n 0';
    const second = expectedFirstLine(two[1]) + ' n 1';
    expect(formatSeries(two, registry, { ...multi })).toBe(`${first}\n  ↳ ${second}\n\n`);
    const withNs = two.map((e) => ({ ...e, netns: { inum: 7 } }));
    expect(formatSeries(withNs, registry, { ...multi })).toBe(`${first}\n  ns 7\n  ↳ ${second}\n      ns 7\n\n`);
    expect(formatSeries(withNs, registry, { ...single })).toBe(`${first} ns 7\n  ↳ ${second} ns 7\n\n`);
  });
});

describe('TextBlock', () => {
  it('indents every line after a newline, leaves empty lines bare, and places the item marker', () => {
    const b = new TextBlock('↳');
    b.add(4, 'first');
    b.add(6, '\nsecond\n\nthird');
    expect(b.toString()).toBe('  ↳ first\n      second\n\n      third');
  });
});
