/**
 * The `dev` event key: the packet's net device. JSON `{name, ifindex,
 * rx_ifindex?}` (rx_ifindex omitted when 0); text
 * `if {ifindex}[ ({name})][ rxif {rx_ifindex}]`.
 */
import { jsonString, obj, optUint, type SectionDefinition, str, uint } from '@retis/core';

// A getter under CommonJS re-exports: bound once for the hot path.
const quote = jsonString;

export interface DevSection {
  /** dev->name */
  name: string;
  /** dev->ifindex */
  ifindex: number;
  /** skb->skb_iif, the device the packet came in on. */
  rx_ifindex?: number;
}

declare module '@retis/core' {
  interface EventSections {
    dev?: DevSection;
  }
}

export const devSection: SectionDefinition<DevSection> = {
  key: 'dev',
  fromJson(value) {
    const o = obj(value, 'dev');
    const dev: DevSection = { name: str(o.name, 'dev.name'), ifindex: uint(o.ifindex, 'dev.ifindex') };
    const rx = optUint(o.rx_ifindex, 'dev.rx_ifindex');
    if (rx !== undefined) dev.rx_ifindex = rx;
    return dev;
  },
  toJson(d) {
    const head = `{"name":${quote(d.name)},"ifindex":${d.ifindex}`;
    return d.rx_ifindex === undefined ? head + '}' : `${head},"rx_ifindex":${d.rx_ifindex}}`;
  },
  format(d) {
    let out = `if ${d.ifindex}`;
    if (d.name.length > 0) out += ` (${d.name})`;
    if (d.rx_ifindex !== undefined) out += ` rxif ${d.rx_ifindex}`;
    return out;
  },
};

export const DEV_SECTIONS: readonly SectionDefinition[] = [devSection];
