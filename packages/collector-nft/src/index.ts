/** The `nft` collector: nftables verdicts. */
import { defineCollector } from '@retis/core';
import { NftCollector } from './collector';
import { NFT_SECTIONS } from './sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export * from './sections';

export default defineCollector({
  meta: { name: 'nft', packageName: pkg.name, version: pkg.version, apiVersion: 1 },
  owner: 8,
  knownKernelTypes: ['struct nft_traceinfo *'],
  sections: NFT_SECTIONS,
  collector: NftCollector,
});
