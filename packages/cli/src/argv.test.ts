import { parseGlobalArgs } from './argv';

describe('parseGlobalArgs', () => {
  it('takes global options before the subcommand only', () => {
    const g = parseGlobalArgs(['--log-level', 'debug', '-p', 'a,b', 'collect', '-p', 'tp:skb:kfree_skb']);
    expect(g.logLevel).toBe('debug');
    expect(g.profiles).toEqual(['a', 'b']);
    expect(g.rest).toEqual(['collect', '-p', 'tp:skb:kfree_skb']);
  });

  it('expands an unambiguous subcommand prefix', () => {
    expect(parseGlobalArgs(['col', '-c', 'skb']).rest[0]).toBe('collect');
    expect(parseGlobalArgs(['st']).rest[0]).toBe('stats');
    // sort, schema and stats all start with 's': left as typed.
    expect(parseGlobalArgs(['s']).rest[0]).toBe('s');
  });

  it('rejects a bad log level', () => {
    expect(() => parseGlobalArgs(['--log-level', 'loud', 'print'])).toThrow("invalid value 'loud' for '--log-level'");
  });

  it('gives collect -o its optional value', () => {
    expect(parseGlobalArgs(['collect', '-o', 'f.data', '--print']).rest).toEqual(['collect', '--out=f.data', '--print']);
    expect(parseGlobalArgs(['collect', '-o', '--print']).rest).toEqual(['collect', '-o', '--print']);
    expect(parseGlobalArgs(['collect', '-o']).rest).toEqual(['collect', '-o']);
  });
});
