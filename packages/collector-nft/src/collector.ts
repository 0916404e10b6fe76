import { CollectorUnavailableError, injectable, type Collector } from '@retis/core';

export const NFT_UNAVAILABLE = 'nft verdict collection is not available yet';

/**
 * Verdict collection is not written yet (Retis reads them with a kprobe on
 * __nft_trace_packet; the netlink trace group is the planned source on
 * kernels without kprobes). Until then `-c auto` skips it and `-c nft` says
 * why; events files holding nft sections are read, written and printed.
 */
@injectable()
export class NftCollector implements Collector {
  canRun(): never {
    throw new CollectorUnavailableError(NFT_UNAVAILABLE);
  }

  init(): void {
    // Never reached: canRun always refuses.
  }
}
