import * as fs from 'fs';
import * as path from 'path';
import { ConditionChecker, type KernelFacts } from './conditions';
import { parseProfiles } from './parse';
import { recordingLog } from './test-support/recording-log';

/** A kernel of the given release with the given symbols; records what was asked. */
function kernel(release: string, symbols: string[]): KernelFacts & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    release: () => release,
    symbolExists: (name) => {
      asked.push(name);
      return symbols.includes(name);
    },
  };
}

function sections(yaml: string) {
  return parseProfiles(`version: 1.0\nname: t\n${yaml}`, { source: 't.yaml', log: recordingLog() })[0].sections.collect!;
}

describe('ConditionChecker', () => {
  const ladder = sections(`
collect:
  - name: Too old
    when:
      - type: version
        version: "= 3"
    args:
  - name: Too new
    when:
      - type: version
        version: "> 9"
    args:
  - name: Symbol exists
    when:
      - type: symbol
        name: unexisting_symbol
    args:
  - name: Symbol does not exist
    when:
      - type: symbol
        name: skb:kfree_skb
        exists: false
    args:
  - name: Correct
    args:
`);

  it('applies the first section whose conditions all hold', () => {
    const facts = kernel('6.2.14-300.fc38.x86_64', ['skb:kfree_skb', 'consume_skb']);
    expect(new ConditionChecker(facts).select(ladder)?.name).toBe('Correct');
  });

  it('checks a symbol for existence or absence', () => {
    const facts = kernel('6.2.14', ['consume_skb']);
    const c = new ConditionChecker(facts);
    expect(c.holds({ type: 'symbol', name: 'consume_skb', exists: true })).toBe(true);
    expect(c.holds({ type: 'symbol', name: 'consume_skb', exists: false })).toBe(false);
    expect(c.holds({ type: 'symbol', name: 'foo', exists: true })).toBe(false);
    expect(c.holds({ type: 'symbol', name: 'foo', exists: false })).toBe(true);
  });

  it('stops at the first condition that fails', () => {
    const facts = kernel('5.10.0', ['a']);
    const [s] = sections('collect:\n  - when:\n      - type: version\n        version: ">= 6"\n      - type: symbol\n        name: a\n    args:\n');
    expect(new ConditionChecker(facts).select([s])).toBeUndefined();
    expect(facts.asked).toEqual([]);
  });

  it('selects nothing when no section holds', () => {
    expect(new ConditionChecker(kernel('6.1.0', [])).select(ladder.slice(0, 3))).toBeUndefined();
    expect(new ConditionChecker(kernel('6.1.0', [])).select([])).toBeUndefined();
  });

  it('reports a release it cannot read', () => {
    expect(() => new ConditionChecker(kernel('6.1', [])).select(ladder)).toThrow('Could not get kernel patch-build version from 6.1');
  });

  describe('the example profile written for the reference', () => {
    const file = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7/profile-example.yaml');
    const local = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7/profile-example.yaml');
    const example = parseProfiles(fs.readFileSync(fs.existsSync(file) ? file : local, 'utf8'), { source: 'x', log: recordingLog() })[0]
      .sections.collect!;

    it.each([
      ['4.6.2', ['some_kprobe'], 'A minimum kernel version that has a symbol'],
      ['4.6.1', ['some_kprobe'], 'The specific kernel without a symbol'],
      ['4.6.1', ['some_kprobe', 'some_tracepoint'], 'Most of old kernels'],
      ['5.19.0', [], 'Most of old kernels'],
      ['6.1.3', ['sometracepoint'], 'Recent kernels with a tracepoins'],
      ['6.1.2', ['sometracepoint'], 'Default'],
      ['3.5.4', [], 'Default'],
    ])('on %s with %j applies %j', (release, symbols, expected) => {
      expect(new ConditionChecker(kernel(release, symbols)).select(example)?.name).toBe(expected);
    });
  });
});
