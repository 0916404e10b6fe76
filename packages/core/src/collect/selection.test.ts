import { selectCollectors } from './selection';

const available = ['ns', 'dev', 'skb', 'skb-drop', 'skb-tracking', 'zz-third-party'];

describe('selectCollectors', () => {
  it('auto takes every collector, in the reference order, none mandatory', () => {
    const sel = selectCollectors(['auto'], available);
    expect(sel.map((s) => s.name)).toEqual(['skb-tracking', 'skb', 'skb-drop', 'dev', 'ns', 'zz-third-party']);
    expect(sel.every((s) => !s.mandatory)).toBe(true);
  });

  it('named collectors are mandatory, auto adds the rest', () => {
    const sel = selectCollectors(['dev', 'auto'], available);
    expect(sel.find((s) => s.name === 'dev')?.mandatory).toBe(true);
    expect(sel.find((s) => s.name === 'skb')?.mandatory).toBe(false);
  });

  it('only the named ones without auto', () => {
    expect(selectCollectors(['skb-drop', 'skb'], available).map((s) => s.name)).toEqual(['skb', 'skb-drop']);
  });

  it('rejects an unknown collector by name', () => {
    expect(() => selectCollectors(['skb', 'nope'], available)).toThrow("Unknown collector 'nope'");
  });
});
