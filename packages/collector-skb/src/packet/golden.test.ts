/**
 * Packet lines printed by Retis itself: the comments Retis's `pcap` command
 * stored in test_events_packets.pcap for the events of
 * test_events_packets.json, and vectors from Retis's own unit tests.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatPacket } from './index';
import { readPcapng } from './test-support/pcapng';

const FIXTURES = resolve(__dirname, '../../../../test/fixtures/retis-1.7');
const plain = { multiLine: true, utc: false, linkLayer: false };
const withLinkLayer = { ...plain, linkLayer: true };

/** Packet data of every event of the events file that has a `packet` section, in file order. */
function eventPackets(): Buffer[] {
  return readFileSync(resolve(FIXTURES, 'test_events_packets.json'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"packet"'))
    .map((line) => Buffer.from(JSON.parse(line).packet.data, 'base64'));
}

/** Second line of each event's text (the packet line, indented by 2), from the pcap-ng comments. */
function printedPacketLines(): string[] {
  return readPcapng(resolve(FIXTURES, 'test_events_packets.pcap')).map((p) => {
    expect(p.comments).toHaveLength(1);
    const line = p.comments[0].split('\n')[1];
    expect(line.startsWith('  ')).toBe(true);
    return line.slice(2);
  });
}

describe('packets of test_events_packets.json as Retis printed them', () => {
  const packets = eventPackets();
  const lines = printedPacketLines();

  it('pairs every event packet with one printed event', () => {
    expect(packets.length).toBeGreaterThan(20);
    expect(lines).toHaveLength(packets.length);
    const pcapData = readPcapng(resolve(FIXTURES, 'test_events_packets.pcap')).map((p) => p.data);
    expect(pcapData).toEqual(packets);
  });

  it('prints the reference example exactly', () => {
    expect(lines[3]).toBe(
      '192.168.125.10 > 192.168.125.11 tos 0x0 ttl 64 id 41977 off 0 [DF] len 84 proto ICMP (1) type 8 code 0',
    );
  });

  it.each(packets.map((data, i) => [i, data] as const))('event packet %i', (i, data) => {
    expect(formatPacket(data, plain)).toBe(lines[i]);
  });
});

describe("vectors from Retis's unit tests", () => {
  it('ICMP inside Geneve', () => {
    const data = Buffer.from(
      'ukoiHKOOzikYufsvCABFAACGORIAAEAR2VIKACoBCgAqAkL5F8EAcmiGAABlWAAAAQAO2mLRzBfW99tozRgIAEUAAFRH90AAQAGIrwoAKwEKACsCCAA5rgUFAAE5cv5nAAAAAL+eAwAAAAAAEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nw==',
      'base64',
    );
    expect(formatPacket(data, plain)).toBe(
      '10.0.42.1.17145 > 10.0.42.2.6081 tos 0x0 ttl 64 id 14610 off 0 len 134 proto UDP (17) len 106 geneve [] vni 0x1 10.0.43.1 > 10.0.43.2 tos 0x0 ttl 64 id 18423 off 0 [DF] len 84 proto ICMP (1) type 8 code 0',
    );
  });

  it('TCP SYN over IPv6 with link-layer details', () => {
    const data = Buffer.from(
      'rrBKar+vnh09MZ47ht1gBvSKACgGQBERAAAAAAAAAAAAAAAAAAEREQAAAAAAAAAAAAAAAAAC22QAULIRwcAAAAAAoAL9ICJTAAACBAWgBAIIClP9HoIAAAAAAQMDBw==',
      'base64',
    );
    expect(formatPacket(data, withLinkLayer)).toBe(
      '9e:1d:3d:31:9e:3b > ae:b0:4a:6a:bf:af ethertype IPv6 (0x86dd) 1111::1.56164 > 1111::2.80 ttl 64 label 0x6f48a len 40 proto TCP (6) flags [S] seq 2987508160 win 64800 [mss 1440,sackOK,TS val 1409097346 ecr 0,nop,wscale 7]',
    );
  });
});
