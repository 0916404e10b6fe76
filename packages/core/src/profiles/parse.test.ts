import * as fs from 'fs';
import * as path from 'path';
import { parseProfiles } from './parse';
import type { ProfileArgValue } from './profile';
import { recordingLog } from './test-support/recording-log';

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7/profile-example.yaml');
const LOCAL_FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7/profile-example.yaml');

function parse(text: string, single = false) {
  const log = recordingLog();
  return { profiles: parseProfiles(text, { source: 'p.yaml', log, single }), log };
}

const args = (entries: [string, ProfileArgValue][]) => new Map(entries);

describe('parseProfiles', () => {
  it('keeps the version as written: 1.0 is "1.0", not the number 1', () => {
    const { profiles } = parse('version: 1.0\nname: a\n');
    expect(profiles[0].versionText).toBe('1.0');
    expect(profiles[0].version).toEqual({ major: 1, minor: 0 });
    expect(parse('version: "1.0"\nname: a\n').profiles[0].versionText).toBe('1.0');
  });

  it('reads every document of a file, skipping empty ones', () => {
    const { profiles } = parse('version: 1.0\nname: a\nabout: first\n---\nversion: 1.0\nname: b\n---\n');
    expect(profiles.map((p) => [p.name, p.about])).toEqual([['a', 'first'], ['b', undefined]]);
    expect(parse('').profiles).toEqual([]);
  });

  it('reads sections, conditions and the three argument forms', () => {
    const { profiles } = parse(`
version: 1.0
name: full
collect:
  - name: new kernels
    when:
      - type: version
        version: ">= 5.17, < 6.8"
      - type: symbol
        name: skb:kfree_skb
      - type: symbol
        name: ip_rcv
        exists: false
    args:
      collectors: skb,dev
      probe: [tp:net:netif_receive_skb, "kprobe:ip_rcv"]
      ovs-track: ~
      stack: null
      out:
  - args:
pcap:
  - args: { probe: tp:skb:kfree_skb }
`);
    const [p] = profiles;
    const [first, second] = p.sections.collect!;
    expect(first.name).toBe('new kernels');
    expect(first.when).toEqual([
      { type: 'version', requirement: expect.objectContaining({ text: '>= 5.17, < 6.8' }) },
      { type: 'symbol', name: 'skb:kfree_skb', exists: true },
      { type: 'symbol', name: 'ip_rcv', exists: false },
    ]);
    expect(first.args).toEqual(args([
      ['collectors', { kind: 'single', value: 'skb,dev' }],
      ['probe', { kind: 'sequence', values: ['tp:net:netif_receive_skb', 'kprobe:ip_rcv'] }],
      ['ovs-track', { kind: 'flag' }],
      ['stack', { kind: 'flag' }],
      ['out', { kind: 'flag' }],
    ]));
    expect(second).toEqual({ name: 'Default', when: [], args: new Map() });
    expect(p.sections.pcap).toEqual([{ name: 'Default', when: [], args: args([['probe', { kind: 'single', value: 'tp:skb:kfree_skb' }]]) }]);
  });

  it('follows anchors and aliases', () => {
    const { profiles } = parse('version: 1.0\nname: a\ncollect:\n  - args: &common\n      collectors: skb\npcap:\n  - args: *common\n');
    expect(profiles[0].sections.pcap![0].args).toEqual(args([['collectors', { kind: 'single', value: 'skb' }]]));
  });

  it.each([
    ['an unquoted number argument', 'collect:\n  - args:\n      stop-after: 20\n', 'p.yaml:5: collect[0].args.stop-after: expected a string, found number 20 (quote it: "20")'],
    ['a boolean argument', 'collect:\n  - args:\n      print: true\n', 'p.yaml:5: collect[0].args.print: expected a string, found boolean true'],
    ['a number in a list', 'collect:\n  - args:\n      probe: [a, 1]\n', 'p.yaml:5: collect[0].args.probe[1]: expected a string, found number 1'],
    ['a mapping argument', 'collect:\n  - args:\n      probe: { a: b }\n', 'collect[0].args.probe: expected a string, a list of strings, or ~ for a flag'],
    ['a section without args', 'collect:\n  - name: x\n', "p.yaml:4: collect[0]: missing field 'args'"],
    ['an unknown condition', 'collect:\n  - when:\n      - type: arch\n    args:\n', "p.yaml:5: collect[0].when[0].type: unknown condition type 'arch' (expected 'version' or 'symbol')"],
    ['a bad version requirement', 'collect:\n  - when:\n      - type: version\n        version: "~5"\n    args:\n', 'p.yaml:6: collect[0].when[0].version: invalid kernel version requirement'],
    ['exists given as yes', 'collect:\n  - when:\n      - type: symbol\n        name: a\n        exists: yes\n    args:\n', 'p.yaml:7: collect[0].when[0].exists: expected true or false'],
    ['collect as a mapping', 'collect:\n  args: {}\n', 'p.yaml:4: collect: expected a list'],
  ])('refuses %s', (_what, body, message) => {
    expect(() => parse(`version: 1.0\nname: a\n${body}`)).toThrow(message);
  });

  it.each([
    ['version: 1\nname: a\n', "p.yaml:1: version: invalid profile version '1': Too few numeric values. Two values (X.Y) must be provided"],
    ['version: 1.0.1\nname: a\n', "invalid profile version '1.0.1': Too many numeric values. Only two (X.Y) are supported"],
    ['name: a\n', "p.yaml:1: missing field 'version'"],
    ['version: 1.0\n', "missing field 'name'"],
    ['- version: 1.0\n', 'p.yaml:1: a profile must be a mapping'],
    ['version: 1.0\nname: [a\n', 'p.yaml:'],
    ['version: 1.0\nname: a\nname: b\n', 'Map keys must be unique'],
  ])('refuses profile %j', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('makes a whole file invalid when one document is', () => {
    expect(() => parse('version: 1.0\nname: a\n---\nversion: 1.0\n')).toThrow("p.yaml:4: missing field 'name'");
  });

  it('skips a profile of another major version with a warning, warns on a newer minor', () => {
    const { profiles, log } = parse('version: 2.0\nname: future\n---\nversion: 1.3\nname: newer\n---\nversion: 1.0\nname: now\n');
    expect(profiles.map((p) => p.name)).toEqual(['newer', 'now']);
    expect(log.lines.warn).toEqual([
      `("p.yaml") future: retis' profile engine (1.0) does not support profile version (2.0). Skipping.`,
      `("p.yaml") newer: retis' profile engine (1.0) only supports profile version (1.3) partially. Some bits of configuration might not be applied.`,
    ]);
  });

  it('wants exactly one supported profile in a file given directly', () => {
    expect(parse('version: 1.0\nname: a\n', true).profiles).toHaveLength(1);
    expect(() => parse('version: 1.0\nname: a\n---\nversion: 1.0\nname: b\n', true))
      .toThrow('p.yaml: a profile file given with -p must hold exactly one profile (found 2)');
    expect(() => parse('version: 2.0\nname: a\n', true)).toThrow("does not support profile version (2.0)");
  });

  it('reads the example profile written for the reference', () => {
    const file = fs.existsSync(FIXTURE) ? FIXTURE : LOCAL_FIXTURE;
    const { profiles } = parse(fs.readFileSync(file, 'utf8'));
    expect(profiles).toHaveLength(1);
    const [p] = profiles;
    expect(p.name).toBe('example-profile');
    expect(p.versionText).toBe('1.0');
    expect(p.about).toBe('Collects information from a certain area of the networking stack');
    const sections = p.sections.collect!;
    expect(sections.map((s) => s.name)).toEqual([
      'A minimum kernel version that has a symbol', 'The specific kernel without a symbol', 'Most of old kernels',
      'Recent kernels with a tracepoins', 'Default',
    ]);
    expect(sections[0].when.map((c) => (c.type === 'version' ? c.requirement.text : `${c.name}:${c.exists}`)))
      .toEqual(['>4.6.1', 'some_kprobe:true']);
    expect(sections[1].when.map((c) => (c.type === 'version' ? c.requirement.text : `${c.name}:${c.exists}`)))
      .toEqual(['=4.6.1', 'some_tracepoint:false']);
    expect(sections[0].args).toEqual(args([['collectors', { kind: 'single', value: 'skb' }], ['ovs-track', { kind: 'flag' }]]));
    expect(sections[3].args).toEqual(args([
      ['collectors', { kind: 'single', value: 'skb' }], ['probe', { kind: 'single', value: 'sometracepoint' }],
      ['skb-sections', { kind: 'single', value: 'l3' }],
    ]));
    expect(p.sections.pcap).toBeUndefined();
  });
});
