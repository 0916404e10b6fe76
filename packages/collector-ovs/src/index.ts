/** The `ovs` collector: OpenVSwitch datapath and ovs-vswitchd events. */
import { defineCollector } from '@retis/core';
import { OvsCollector } from './collector';
import { OVS_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';

export default defineCollector({
  meta: { name: 'ovs', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 7,
  // As Retis: the ovs probes are its own; it makes no user probe useful.
  knownKernelTypes: [],
  sections: OVS_SECTIONS,
  collector: OvsCollector,
});
