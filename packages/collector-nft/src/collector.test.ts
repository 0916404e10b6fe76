import { CollectorUnavailableError } from '@retis/core';
import nft from './index';
import { NftCollector } from './collector';

describe('nft collector', () => {
  it('is defined with the reference owner id and known type', () => {
    expect(nft.meta.name).toBe('nft');
    expect(nft.owner).toBe(8);
    expect(nft.knownKernelTypes).toEqual(['struct nft_traceinfo *']);
    expect(nft.sections.map((s) => s.key)).toEqual(['nft']);
  });

  it('cannot run yet, and says why', () => {
    const c = new NftCollector();
    expect(() => c.canRun()).toThrow(CollectorUnavailableError);
    expect(() => c.canRun()).toThrow('nft verdict collection is not available yet');
  });
});
