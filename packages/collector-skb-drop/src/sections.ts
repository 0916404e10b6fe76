/**
 * The `skb-drop` event key: why a packet was freed.
 * JSON `{subsys?, drop_reason}` (subsys omitted for the core subsystem);
 * text `drop (reason NO_SOCKET)` or `drop (reason openvswitch/OVS_DROP_X)`.
 */
import { jsonString, obj, optStr, type SectionDefinition, str } from '@retis/core';

// A getter under CommonJS re-exports: bound once for the hot path.
const quote = jsonString;

export interface SkbDropSection {
  /** Lowercase subsystem name; absent for core reasons. */
  subsys?: string;
  /** Reason name without its enum prefix, or the decimal value if unknown. */
  drop_reason: string;
}

declare module '@retis/core' {
  interface EventSections {
    'skb-drop'?: SkbDropSection;
  }
}

export const skbDropSection: SectionDefinition<SkbDropSection> = {
  key: 'skb-drop',
  fromJson(value) {
    const o = obj(value, 'skb-drop');
    const drop_reason = str(o.drop_reason, 'skb-drop.drop_reason');
    const subsys = optStr(o.subsys, 'skb-drop.subsys');
    return subsys === undefined ? { drop_reason } : { subsys, drop_reason };
  },
  toJson(d) {
    return d.subsys === undefined
      ? `{"drop_reason":${quote(d.drop_reason)}}`
      : `{"subsys":${quote(d.subsys)},"drop_reason":${quote(d.drop_reason)}}`;
  },
  format(d) {
    return d.subsys === undefined ? `drop (reason ${d.drop_reason})` : `drop (reason ${d.subsys}/${d.drop_reason})`;
  },
};

export const SKB_DROP_SECTIONS: readonly SectionDefinition[] = [skbDropSection];
