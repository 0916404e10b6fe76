import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConditionChecker, type KernelFacts } from './conditions';
import { argsOf, expandProfiles, profileArgs } from './expand';
import { parseProfiles } from './parse';
import { recordingLog } from './test-support/recording-log';

const facts = (release = '6.18.44', symbols: string[] = []): KernelFacts => ({
  release: () => release,
  symbolExists: (n) => symbols.includes(n),
});

const one = (yaml: string) => parseProfiles(`version: 1.0\nname: test\n${yaml}`, { source: 't.yaml', log: recordingLog() })[0];

describe('argsOf', () => {
  it('emits keys in sorted order, `_` as `-`, lists repeated and nulls as flags', () => {
    const p = one(`
collect:
  - args:
      skb_sections: [l3, tcp]
      probe:
        - kprobe:ip_rcv
        - kprobe:ip_finish_output2
      ovs-track: ~
      collectors: skb
      nft_verdicts: drop
      nft-a: x
`);
    expect(argsOf(p.sections.collect![0].args)).toEqual([
      '--collectors', 'skb',
      // '-' sorts before '_', as byte order has it.
      '--nft-a', 'x',
      '--nft-verdicts', 'drop',
      '--ovs-track',
      '--probe', 'kprobe:ip_rcv', '--probe', 'kprobe:ip_finish_output2',
      '--skb-sections', 'l3', '--skb-sections', 'tcp',
    ]);
  });

  it('keeps a comma list as one value and an empty list as nothing', () => {
    const p = one('collect:\n  - args:\n      probe: kprobe:ip_rcv\n      skb_sections: l3,tcp\n      c: []\n');
    expect(argsOf(p.sections.collect![0].args)).toEqual(['--probe', 'kprobe:ip_rcv', '--skb-sections', 'l3,tcp']);
  });
});

describe('profileArgs', () => {
  const p = one(`
collect:
  - name: recent
    when:
      - type: version
        version: ">= 6.10"
    args:
      probe: tp:net:netif_rx
  - args:
      probe: tp:net:netif_receive_skb
pcap:
  - args:
      probe: tp:skb:kfree_skb
`);

  it('applies the matching section and says which', () => {
    const log = recordingLog();
    expect(profileArgs(p, 'collect', new ConditionChecker(facts('6.18.44')), log)).toEqual(['--probe', 'tp:net:netif_rx']);
    expect(profileArgs(p, 'collect', new ConditionChecker(facts('6.1.0')), log)).toEqual(['--probe', 'tp:net:netif_receive_skb']);
    expect(profileArgs(p, 'pcap', new ConditionChecker(facts()), log)).toEqual(['--probe', 'tp:skb:kfree_skb']);
    // The default section is not named.
    expect(log.lines.info).toEqual(['Applying profile test: recent', 'Applying profile test', 'Applying profile test']);
  });

  it('warns and adds nothing when no section applies', () => {
    const log = recordingLog();
    const old = one('collect:\n  - when:\n      - type: version\n        version: "< 4"\n    args:\n      probe: x\n');
    expect(profileArgs(old, 'collect', new ConditionChecker(facts()), log)).toEqual([]);
    expect(profileArgs(old, 'pcap', new ConditionChecker(facts()), log)).toEqual([]);
    expect(log.lines.warn).toEqual([
      'None of the collect profiles defined in test were selected',
      'None of the pcap profiles defined in test were selected',
    ]);
    expect(log.lines.info).toEqual([]);
  });

  it('refuses subcommands that take no profile', () => {
    expect(() => profileArgs(p, 'print', new ConditionChecker(facts()), recordingLog()))
      .toThrow('Subcommand print does not support profile enhancement');
  });

  it('names the profile whose conditions could not be checked', () => {
    const bad = one('collect:\n  - when:\n      - type: version\n        version: ">= 6"\n    args:\n');
    expect(() => profileArgs(bad, 'collect', new ConditionChecker(facts('6.1')), recordingLog()))
      .toThrow('Could not check the conditions of profile test: Could not get kernel patch-build version from 6.1');
  });
});

describe('expandProfiles', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-expand-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('applies names and files left to right', () => {
    fs.writeFileSync(path.join(tmp, 'set.yaml'),
      'version: 1.0\nname: one\ncollect:\n  - args:\n      collectors: skb\n---\n'
      + 'version: 1.0\nname: two\ncollect:\n  - args:\n      probe: tp:net:netif_rx\n      stack: ~\n');
    const file = path.join(tmp, 'three.yml');
    fs.writeFileSync(file, 'version: 1.0\nname: three\ncollect:\n  - args:\n      collectors: dev\n');
    const log = recordingLog();
    const args = expandProfiles({
      entries: ['two', file, 'one'], subcommand: 'collect', extraDir: tmp, env: {}, builtinDir: null, facts: facts(), log,
    });
    expect(args).toEqual(['--probe', 'tp:net:netif_rx', '--stack', '--collectors', 'dev', '--collectors', 'skb']);
    expect(log.lines.info).toEqual(['Applying profile two', 'Applying profile three', 'Applying profile one']);
  });

  it('checks the subcommand before looking anything up', () => {
    expect(() => expandProfiles({
      entries: ['missing'], subcommand: 'sort', env: {}, builtinDir: null, facts: facts(), log: recordingLog(),
    })).toThrow('Subcommand sort does not support profile enhancement');
  });

  it('fails on a missing profile', () => {
    expect(() => expandProfiles({
      entries: ['nope'], subcommand: 'collect', extraDir: tmp, env: {}, builtinDir: null, facts: facts(), log: recordingLog(),
    })).toThrow('Profile with name nope not found');
  });
});
