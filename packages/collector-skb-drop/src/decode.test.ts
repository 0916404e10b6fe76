import { FactoryTable, layoutMismatches, parseRawEvent, RawEventBuilder, readObjectBtf } from '@retis/core';
import { join } from 'path';
import { type BtfEnumSource, buildDropReasonTables, dropReason, SKB_DROP_EVENT_LAYOUT, SKB_DROP_OWNER, SkbDropFactory } from './decode';

/** A hand-made BTF with the enums a kernel with drop reason subsystems has. */
function fakeBtf(enums: Record<string, [string, bigint][]>): BtfEnumSource {
  const names = Object.keys(enums);
  return {
    findByName: (name, kind) => (kind === 'enum' ? names.indexOf(name) : -1),
    type: (id) => ({ kind: 'enum', name: names[id], values: enums[names[id]].map(([name, value]) => ({ name, value })) }),
  };
}

const SUBSYS = (n: number): bigint => BigInt(n) << 16n;

const MODERN = fakeBtf({
  skb_drop_reason_subsys: [
    ['SKB_DROP_REASON_SUBSYS_CORE', 0n],
    ['SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE', 1n],
    ['SKB_DROP_REASON_SUBSYS_MAC80211_MONITOR', 2n],
    ['SKB_DROP_REASON_SUBSYS_OPENVSWITCH', 3n],
    ['SKB_DROP_REASON_SUBSYS_QDISC', 4n],
    ['SKB_DROP_REASON_SUBSYS_FUTURE', 5n],
    ['SKB_DROP_REASON_SUBSYS_NUM', 6n],
  ],
  skb_drop_reason: [
    ['SKB_NOT_DROPPED_YET', 0n],
    ['SKB_CONSUMED', 1n],
    ['SKB_DROP_REASON_NOT_SPECIFIED', 2n],
    ['SKB_DROP_REASON_NO_SOCKET', 3n],
    // Sign-extended as some BTF encoders write it.
    ['SKB_DROP_REASON_SUBSYS_MASK', 0xffffffffffff0000n],
  ],
  mac80211_drop_reason: [['RX_DROP_MONITOR', SUBSYS(2)], ['RX_DROP_U_MIC_FAIL', SUBSYS(1) + 1n]],
  ovs_drop_reason: [['OVS_DROP_LAST_ACTION', SUBSYS(3) + 1n]],
  qdisc_drop_reason: [['QDISC_DROP_GENERIC', SUBSYS(4) + 1n]],
});

describe('buildDropReasonTables', () => {
  it('names core reasons without their prefixes and other subsystems in lowercase, untrimmed', () => {
    const warnings: string[] = [];
    const t = buildDropReasonTables(MODERN, (m) => warnings.push(m));
    expect(dropReason(t, 3)).toEqual({ drop_reason: 'NO_SOCKET' });
    expect(dropReason(t, 0)).toEqual({ drop_reason: 'NOT_DROPPED_YET' });
    expect(dropReason(t, 0xffff0000)).toEqual({ subsys: '65535', drop_reason: String(0xffff0000) });
    expect(dropReason(t, Number(SUBSYS(1) + 1n))).toEqual({ subsys: 'mac80211_unusable', drop_reason: 'RX_DROP_U_MIC_FAIL' });
    expect(dropReason(t, Number(SUBSYS(2)))).toEqual({ subsys: 'mac80211_monitor', drop_reason: 'RX_DROP_MONITOR' });
    expect(dropReason(t, Number(SUBSYS(3) + 1n))).toEqual({ subsys: 'openvswitch', drop_reason: 'OVS_DROP_LAST_ACTION' });
    expect(dropReason(t, Number(SUBSYS(4) + 1n))).toEqual({ subsys: 'qdisc', drop_reason: 'QDISC_DROP_GENERIC' });
    // An unknown value of a known subsystem: its number.
    expect(dropReason(t, 77)).toEqual({ drop_reason: '77' });
    // A subsystem this version does not know: warned once at build, values as numbers.
    expect(warnings).toEqual(['Unknown drop reason subsystem (future)']);
    expect(dropReason(t, Number(SUBSYS(5) + 2n))).toEqual({ subsys: 'future', drop_reason: String(SUBSYS(5) + 2n) });
  });

  it('reports negative values (no drop reasons in the kernel) as NOT_SPECIFIED and unknown ids by number', () => {
    const warnings: string[] = [];
    const t = buildDropReasonTables(MODERN);
    expect(dropReason(t, -1)).toEqual({ drop_reason: 'NOT_SPECIFIED' });
    expect(dropReason(t, Number(SUBSYS(9) + 4n), (m) => warnings.push(m))).toEqual({ subsys: '9', drop_reason: String(SUBSYS(9) + 4n) });
    expect(warnings).toEqual(['Unknown drop reason subsystem id (9)']);
  });

  it('uses core alone on kernels without subsystems', () => {
    const legacy = fakeBtf({ skb_drop_reason: [['SKB_DROP_REASON_NO_SOCKET', 2n]] });
    const t = buildDropReasonTables(legacy);
    expect([...t.subsystems.keys()]).toEqual([0]);
    expect(dropReason(t, 2)).toEqual({ drop_reason: 'NO_SOCKET' });
  });

  it("reads this machine's kernel BTF", () => {
    const btf = readObjectBtf('/sys/kernel/btf/vmlinux');
    const t = buildDropReasonTables(btf);
    const reasons = btf.type(btf.findByName('skb_drop_reason', 'enum')).values ?? [];
    const noSocket = reasons.find((v) => v.name === 'SKB_DROP_REASON_NO_SOCKET');
    expect(noSocket).toBeDefined();
    expect(dropReason(t, Number(noSocket!.value))).toEqual({ drop_reason: 'NO_SOCKET' });
    // Every core reason reads back as its name minus SKB_ then DROP_REASON_.
    const seen = new Set<number>();
    for (const v of reasons) {
      const raw = Number(BigInt.asUintN(32, v.value));
      if (raw >>> 16 !== 0 || seen.has(raw)) continue;
      seen.add(raw);
      expect(dropReason(t, raw)).toEqual({ drop_reason: v.name.replace(/^SKB_/, '').replace(/^DROP_REASON_/, '') });
    }
    expect(seen.size).toBeGreaterThan(50);
    // Subsystems from enum skb_drop_reason_subsys, NUM skipped.
    const subsys = btf.type(btf.findByName('skb_drop_reason_subsys', 'enum')).values ?? [];
    for (const v of subsys) {
      const name = v.name.replace('SKB_DROP_REASON_SUBSYS_', '');
      if (name === 'NUM') expect(t.subsystems.has(Number(v.value))).toBe(false);
      else expect(t.subsystems.get(Number(v.value))?.name).toBe(name === 'CORE' ? undefined : name.toLowerCase());
    }
  });
});

describe('SkbDropFactory', () => {
  const tables = buildDropReasonTables(MODERN);
  const table = new FactoryTable([new SkbDropFactory(tables)]);

  it('decodes the s32 reason into the skb-drop section', () => {
    for (const [raw, section] of [
      [3, { drop_reason: 'NO_SOCKET' }],
      [-1, { drop_reason: 'NOT_SPECIFIED' }],
      [Number(SUBSYS(3) + 1n), { subsys: 'openvswitch', drop_reason: 'OVS_DROP_LAST_ACTION' }],
    ] as const) {
      const buf = new RawEventBuilder().struct(SKB_DROP_OWNER, 1, SKB_DROP_EVENT_LAYOUT, { drop_reason: raw }).build();
      expect(parseRawEvent(buf, 0, buf.length, table)['skb-drop']).toEqual(section);
    }
  });

  it('rejects a wrong size, a wrong data type and two sections', () => {
    const short = new RawEventBuilder().section(SKB_DROP_OWNER, 1, Buffer.alloc(2)).build();
    expect(() => parseRawEvent(short, 0, short.length, table)).toThrow('skb-drop: section data skb_drop_event is not the expected size (2 != 4)');
    const dt = new RawEventBuilder().section(SKB_DROP_OWNER, 2, Buffer.alloc(4)).build();
    expect(() => parseRawEvent(dt, 0, dt.length, table)).toThrow('skb-drop: unknown data type 2');
    const two = new RawEventBuilder().section(SKB_DROP_OWNER, 1, Buffer.alloc(4)).section(SKB_DROP_OWNER, 1, Buffer.alloc(4)).build();
    expect(() => parseRawEvent(two, 0, two.length, table)).toThrow('skb-drop: expected one section, got 2');
  });

  it('matches the layout of the built hook object', () => {
    const btf = readObjectBtf(join(__dirname, '../dist/skb_drop_hook.bpf.o'));
    expect(layoutMismatches(btf, SKB_DROP_EVENT_LAYOUT)).toEqual([]);
  });
});
