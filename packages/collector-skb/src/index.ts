/** The `skb` collector: packet bytes and skb metadata. */
import { defineCollector } from '@retis/core';
import { SkbCollector } from './collector';
import { skbOptions } from './options';
import { SKB_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';
export { skbSectionsMask, SKB_SECTION_ID } from './options';

export default defineCollector({
  meta: { name: 'skb', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 6,
  knownKernelTypes: ['struct sk_buff *'],
  sections: SKB_SECTIONS,
  options: skbOptions,
  collector: SkbCollector,
});
