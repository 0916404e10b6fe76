/** The `dev` collector: the network device a packet is on. */
import { defineCollector } from '@retis/core';
import { DevCollector } from './collector';
import { DEV_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';

export default defineCollector({
  meta: { name: 'dev', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 10,
  knownKernelTypes: ['struct net_device *', 'struct sk_buff *'],
  sections: DEV_SECTIONS,
  collector: DevCollector,
});
