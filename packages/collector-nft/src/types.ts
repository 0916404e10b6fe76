/** The in-memory `nft` event section, shaped as the events file holds it (reference §2.5). */
export interface NftSection {
  table_name: string;
  chain_name: string;
  /** `accept`, `drop`, `continue`, `jump`, ... or `unknown`. */
  verdict: string;
  /** Target chain of a jump or goto. */
  verdict_chain_name?: string;
  table_handle: bigint;
  chain_handle: bigint;
  /** Absent when no rule gave the verdict (chain policy, end of chain). */
  rule_handle?: bigint;
  /** The verdict is the base chain's policy. */
  policy: boolean;
}

declare module '@retis/core' {
  interface EventSections {
    nft?: NftSection;
  }
}
