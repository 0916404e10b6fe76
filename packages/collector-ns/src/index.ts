/** The `ns` collector: the network namespace of a packet. */
import { defineCollector } from '@retis/core';
import { NsCollector } from './collector';
import { NS_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';

export default defineCollector({
  meta: { name: 'ns', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 11,
  knownKernelTypes: ['struct net *', 'struct sk_buff *', 'struct net_device *'],
  sections: NS_SECTIONS,
  collector: NsCollector,
});
