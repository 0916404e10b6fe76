/**
 * The profiles shipped in profiles/: what the reference's built-in profiles
 * hold (reference §8.4), read through the loader.
 */
import * as path from 'path';
import { argsOf } from './expand';
import type { Profile } from './profile';
import { readProfileDir } from './search';
import { recordingLog } from './test-support/recording-log';

const DIR = path.resolve(__dirname, '../../../../profiles');

describe('built-in profiles', () => {
  const log = recordingLog();
  const invalid: string[] = [];
  const files = readProfileDir(DIR, log, (f) => invalid.push(f));
  const byName = new Map<string, Profile>(files.flatMap((f) => f.profiles).map((p) => [p.name, p]));
  const args = (name: string, sub: 'collect' | 'pcap') => {
    const sections = byName.get(name)!.sections[sub]!;
    expect(sections).toHaveLength(1);
    expect(sections[0].when).toEqual([]);
    return argsOf(sections[0].args);
  };

  it('are all valid, version 1.0, one file per family', () => {
    expect(invalid).toEqual([]);
    expect(log.lines.warn).toEqual([]);
    expect(files.map((f) => [path.basename(f.file), f.profiles.map((p) => p.name)])).toEqual([
      ['drop.yaml', ['dropmon', 'nft-dropmon']],
      ['generic.yaml', ['generic']],
      ['ifdump.yaml', ['ifdump']],
    ]);
    for (const p of byName.values()) expect(p.versionText).toBe('1.0');
  });

  it('ifdump probes after the device in ingress and before it in egress', () => {
    expect(byName.get('ifdump')!.about)
      .toBe('Dumps packet after the device in ingress and before the device in egress; like AF_PACKET utilities');
    expect(args('ifdump', 'collect')).toEqual(['--probe', 'tp:net:netif_receive_skb', '--probe', 'tp:net:net_dev_start_xmit']);
    expect(byName.get('ifdump')!.sections.pcap).toBeUndefined();
  });

  it('dropmon watches kfree_skb with stacks', () => {
    expect(byName.get('dropmon')!.about).toBe('Drop monitor-like');
    expect(args('dropmon', 'collect')).toEqual(['--collectors', 'skb-drop,skb,dev,ns', '--probe', 'tp:skb:kfree_skb/stack']);
    expect(args('dropmon', 'pcap')).toEqual(['--probe', 'tp:skb:kfree_skb']);
  });

  it('nft-dropmon watches netfilter drops', () => {
    expect(byName.get('nft-dropmon')!.about).toBe(
      'Drop monitor-like for netfilter (needs `--allow-system-changes` or compatible configuration; see `retis collect --help`)');
    expect(args('nft-dropmon', 'collect')).toEqual([
      '--collectors', 'nft,skb,dev,ns', '--nft-verdicts', 'drop', '--probe', 'kprobe:__nft_trace_packet/stack',
    ]);
    expect(args('nft-dropmon', 'pcap')).toEqual(['--probe', 'kprobe:__nft_trace_packet']);
  });

  it('generic starts from every collector and the usual stack functions', () => {
    expect(byName.get('generic')!.about).toBe('Generic set of probes, meant to be used as a starting point for debugging sessions');
    const a = args('generic', 'collect');
    expect(a.slice(0, 2)).toEqual(['--collectors', 'auto']);
    const probes = a.slice(2).filter((_, i) => i % 2 === 1);
    expect(a.slice(2).filter((_, i) => i % 2 === 0).every((f) => f === '--probe')).toBe(true);
    expect(probes.filter((p) => p.startsWith('tp:')).sort()).toEqual([
      'tp:net:napi_gro_frags_entry', 'tp:net:napi_gro_receive_entry', 'tp:net:net_dev_queue', 'tp:net:net_dev_start_xmit',
      'tp:net:netif_receive_skb', 'tp:net:netif_rx',
    ]);
    expect(probes.filter((p) => p.startsWith('kprobe:')).map((p) => p.slice(7)).sort()).toEqual([
      '__tcp_retransmit_skb', 'arp_process', 'icmp_rcv', 'icmpv6_rcv', 'ip6_output', 'ip_output', 'ip_rcv', 'ipv6_rcv',
      'skb_scrub_packet', 'tcp6_gro_receive', 'tcp_gro_receive', 'tcp_rcv_established', 'tcp_rcv_state_process',
      'tcp_v4_rcv', 'tcp_v6_rcv', 'udp6_gro_receive', 'udp_gro_receive', 'udp_rcv', 'udpv6_rcv',
    ]);
    expect(probes).toHaveLength(25);
  });
});
