/** The `skb-drop` collector: why the kernel dropped a packet. */
import { defineCollector } from '@retis/core';
import { SkbDropCollector } from './collector';
import { SKB_DROP_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';
export { buildDropReasonTables } from './decode';

export default defineCollector({
  meta: { name: 'skb-drop', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 5,
  knownKernelTypes: ['enum skb_drop_reason', 'enum mac80211_drop_reason', 'enum ovs_drop_reason', 'enum qdisc_drop_reason'],
  sections: SKB_DROP_SECTIONS,
  collector: SkbDropCollector,
});
