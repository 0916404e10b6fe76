import { createCoreRegistry } from '@retis/core';
import { nftSection } from './sections';
import type { NftSection } from './types';

const fmt = { multiLine: true, utc: false, linkLayer: false };

describe('nft section', () => {
  const reg = createCoreRegistry().register(nftSection);

  it('reads and writes every field in the reference order, handles as exact i64', () => {
    const line =
      '{"nft":{"table_name":"filter","chain_name":"input","verdict":"jump","verdict_chain_name":"svc",' +
      '"table_handle":9223372036854775807,"chain_handle":-1,"rule_handle":42,"policy":false}}';
    const n = reg.eventFromJson(line).nft;
    expect(n).toEqual({
      table_name: 'filter',
      chain_name: 'input',
      verdict: 'jump',
      verdict_chain_name: 'svc',
      table_handle: 9223372036854775807n,
      chain_handle: -1n,
      rule_handle: 42n,
      policy: false,
    });
    expect(reg.eventToJson(reg.eventFromJson(line))).toBe(line);
    const policy = '{"nft":{"table_name":"t","chain_name":"c","verdict":"drop","table_handle":1,"chain_handle":2,"policy":true}}';
    expect(reg.eventToJson(reg.eventFromJson(policy))).toBe(policy);
  });

  it('rejects malformed sections', () => {
    expect(() => reg.eventFromJson('{"nft":{"table_name":"t","chain_name":"c","verdict":"drop","table_handle":1,"chain_handle":2}}')).toThrow(
      'nft.policy: expected a boolean, got undefined',
    );
    expect(() => reg.eventFromJson('{"nft":{"table_name":"t","chain_name":"c","verdict":"drop","table_handle":"1","chain_handle":2,"policy":true}}')).toThrow(
      'nft.table_handle: expected i64',
    );
  });

  it('prints table, chain, rule handle, verdict, policy and target chain', () => {
    const n: NftSection = { table_name: 'filter', chain_name: 'input', verdict: 'accept', table_handle: 1n, chain_handle: 2n, rule_handle: 5n, policy: false };
    expect(nftSection.format!(n, fmt, {})).toBe('table filter (1) chain input (2) handle 5 accept');
    const { rule_handle: _, ...noRule } = n;
    expect(nftSection.format!({ ...noRule, verdict: 'drop', policy: true }, fmt, {})).toBe('table filter (1) chain input (2) drop (policy)');
    expect(nftSection.format!({ ...n, verdict: 'goto', verdict_chain_name: 'other' }, fmt, {})).toBe(
      'table filter (1) chain input (2) handle 5 goto chain other',
    );
  });
});
