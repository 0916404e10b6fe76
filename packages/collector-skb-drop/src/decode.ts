/**
 * Raw decoding of skb-drop (owner 5): data type 1 `struct skb_drop_event
 * {s32 drop_reason}`, turned into names with tables built from the kernel's
 * BTF enums (reference §2.2).
 */
import {
  onlySection,
  LITTLE_ENDIAN,
  type RawSection,
  type RetisEvent,
  type SectionFactory,
  type StructLayout,
  viewOf,
} from '@retis/core';
import type { SkbDropSection } from './sections';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const LE = LITTLE_ENDIAN;
const single = onlySection;
const dataView = viewOf;

export const SKB_DROP_OWNER = 5;
const DT_DROP = 1;

export const SKB_DROP_EVENT_LAYOUT = {
  name: 'skb_drop_event',
  size: 4,
  fields: { drop_reason: { offset: 0, size: 4 } },
} as const satisfies StructLayout;

/** Kernel include/net/dropreason.h: the subsystem id sits in the upper 16 bits. */
const SUBSYS_SHIFT = 16;

/** Names of raw drop reason values. */
export interface DropReasonTables {
  /** Subsystem id -> (lowercase name, undefined for core; reason value -> name). */
  readonly subsystems: ReadonlyMap<number, { name: string | undefined; reasons: ReadonlyMap<number, string> }>;
}

/** The part of a BTF handle (as @retis/bpf-native's Btf) that enum lookups need. */
export interface BtfEnumSource {
  findByName(name: string, kind?: string): number;
  type(id: number): { kind: string; name: string; values?: readonly { name: string; value: bigint }[] };
}

/** Which enum names a subsystem's reasons, and the prefixes to strip. */
const SUBSYSTEM_ENUMS: Record<string, { enum: string; strip: readonly string[] }> = {
  core: { enum: 'skb_drop_reason', strip: ['SKB_', 'DROP_REASON_'] },
  mac80211_unusable: { enum: 'mac80211_drop_reason', strip: [] },
  mac80211_monitor: { enum: 'mac80211_drop_reason', strip: [] },
  openvswitch: { enum: 'ovs_drop_reason', strip: [] },
  qdisc: { enum: 'qdisc_drop_reason', strip: [] },
};

/** Enumerators of a BTF enum (or enum64), or undefined when the kernel has none. */
function enumValues(btf: BtfEnumSource, name: string): readonly { name: string; value: bigint }[] | undefined {
  for (const kind of ['enum', 'enum64']) {
    const id = btf.findByName(name, kind);
    if (id >= 0) return btf.type(id).values ?? [];
  }
  return undefined;
}

function stripPrefixes(name: string, prefixes: readonly string[]): string {
  for (const p of prefixes) if (name.startsWith(p)) name = name.slice(p.length);
  return name;
}

/** Reason values are compared as the u32 the hook reports (enums may be sign-extended). */
function reasonMap(values: readonly { name: string; value: bigint }[], strip: readonly string[]): Map<number, string> {
  const map = new Map<number, string>();
  for (const v of values) {
    const key = Number(BigInt.asUintN(32, v.value));
    if (!map.has(key)) map.set(key, stripPrefixes(v.name, strip));
  }
  return map;
}

/**
 * Build the tables from BTF: subsystems from `enum skb_drop_reason_subsys`
 * (prefix `SKB_DROP_REASON_SUBSYS_` stripped, `NUM` skipped, names
 * lowercased), each with its own enum; without that enum (kernels before
 * drop-reason subsystems) only core exists. A subsystem whose enum is not in
 * this BTF (its module is not built in) keeps an empty table: its values
 * print as numbers.
 */
export function buildDropReasonTables(btf: BtfEnumSource, warn: (msg: string) => void = () => {}): DropReasonTables {
  const subsystems = new Map<number, { name: string | undefined; reasons: Map<number, string> }>();
  const fromSubsystem = (raw: string): { name: string | undefined; reasons: Map<number, string> } => {
    const name = raw.toLowerCase();
    const spec = SUBSYSTEM_ENUMS[name];
    if (spec === undefined) warn(`Unknown drop reason subsystem (${name})`);
    const values = spec !== undefined ? enumValues(btf, spec.enum) : undefined;
    return {
      name: name === 'core' ? undefined : name,
      reasons: values !== undefined && spec !== undefined ? reasonMap(values, spec.strip) : new Map(),
    };
  };
  const subsys = enumValues(btf, 'skb_drop_reason_subsys');
  if (subsys !== undefined && subsys.length > 0) {
    for (const v of subsys) {
      const name = stripPrefixes(v.name, ['SKB_DROP_REASON_SUBSYS_']);
      if (name !== 'NUM') subsystems.set(Number(v.value), fromSubsystem(name));
    }
  } else {
    subsystems.set(0, fromSubsystem('CORE'));
  }
  return { subsystems };
}

/** Name a raw drop reason: negative means the kernel has no reasons (NOT_SPECIFIED). */
export function dropReason(tables: DropReasonTables, raw: number, warn: (msg: string) => void = () => {}): SkbDropSection {
  if (raw < 0) return { drop_reason: 'NOT_SPECIFIED' };
  const id = raw >>> SUBSYS_SHIFT;
  const subsys = tables.subsystems.get(id);
  if (subsys === undefined) {
    warn(`Unknown drop reason subsystem id (${id})`);
    return { subsys: String(id), drop_reason: String(raw) };
  }
  const drop_reason = subsys.reasons.get(raw) ?? String(raw);
  return subsys.name === undefined ? { drop_reason } : { subsys: subsys.name, drop_reason };
}

export class SkbDropFactory implements SectionFactory {
  constructor(
    private readonly tables: DropReasonTables,
    readonly owner: number = SKB_DROP_OWNER,
    private readonly warn: (msg: string) => void = () => {},
  ) {}

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    const s = single(sections, 'skb-drop', DT_DROP, SKB_DROP_EVENT_LAYOUT);
    const raw = dataView(buf, view).getInt32(s.offset + SKB_DROP_EVENT_LAYOUT.fields.drop_reason.offset, LE);
    event['skb-drop'] = dropReason(this.tables, raw, this.warn);
  }
}
