/**
 * The `nft` event key: an nftables verdict the packet got. JSON
 * `{table_name, chain_name, verdict, verdict_chain_name?, table_handle,
 * chain_handle, rule_handle?, policy}` (handles are i64, kept as bigint);
 * text `table T (th) chain C (ch)[ handle R] VERDICT[ (policy)][ chain V]`.
 */
import { bool, i64, jsonString, obj, optStr, type SectionDefinition, str } from '@retis/core';
import type { NftSection } from './types';

export type * from './types';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const quote = jsonString;

export function nftFromJson(value: unknown): NftSection {
  const o = obj(value, 'nft');
  const nft: NftSection = {
    table_name: str(o.table_name, 'nft.table_name'),
    chain_name: str(o.chain_name, 'nft.chain_name'),
    verdict: str(o.verdict, 'nft.verdict'),
    table_handle: i64(o.table_handle, 'nft.table_handle'),
    chain_handle: i64(o.chain_handle, 'nft.chain_handle'),
    policy: bool(o.policy, 'nft.policy'),
  };
  const verdictChain = optStr(o.verdict_chain_name, 'nft.verdict_chain_name');
  if (verdictChain !== undefined) nft.verdict_chain_name = verdictChain;
  if (o.rule_handle !== undefined && o.rule_handle !== null) nft.rule_handle = i64(o.rule_handle, 'nft.rule_handle');
  return nft;
}

export function nftToJson(n: NftSection): string {
  let out = `{"table_name":${quote(n.table_name)},"chain_name":${quote(n.chain_name)},"verdict":${quote(n.verdict)}`;
  if (n.verdict_chain_name !== undefined) out += `,"verdict_chain_name":${quote(n.verdict_chain_name)}`;
  out += `,"table_handle":${n.table_handle},"chain_handle":${n.chain_handle}`;
  if (n.rule_handle !== undefined) out += `,"rule_handle":${n.rule_handle}`;
  return out + `,"policy":${n.policy}}`;
}

export function formatNft(n: NftSection): string {
  let out = `table ${n.table_name} (${n.table_handle}) chain ${n.chain_name} (${n.chain_handle})`;
  if (n.rule_handle !== undefined) out += ` handle ${n.rule_handle}`;
  out += ` ${n.verdict}`;
  if (n.policy) out += ' (policy)';
  if (n.verdict_chain_name !== undefined) out += ` chain ${n.verdict_chain_name}`;
  return out;
}

export const nftSection: SectionDefinition<NftSection> = {
  key: 'nft',
  fromJson: nftFromJson,
  toJson: nftToJson,
  format: (n) => formatNft(n),
};

export const NFT_SECTIONS: readonly SectionDefinition[] = [nftSection];
