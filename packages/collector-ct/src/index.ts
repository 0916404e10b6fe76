/** The `ct` collector: the conntrack entry of each packet. */
import { defineCollector } from '@retis/core';
import { CtCollector } from './collector';
import { CT_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';

export default defineCollector({
  meta: { name: 'ct', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 9,
  knownKernelTypes: ['struct sk_buff *'],
  sections: CT_SECTIONS,
  collector: CtCollector,
});
