/** The `skb-tracking` collector: one id per packet across the stack. */
import { defineCollector } from '@retis/core';
import { SkbTrackingCollector } from './collector';
import { SKB_TRACKING_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';

export default defineCollector({
  meta: { name: 'skb-tracking', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 4,
  knownKernelTypes: ['struct sk_buff *'],
  sections: SKB_TRACKING_SECTIONS,
  collector: SkbTrackingCollector,
});
