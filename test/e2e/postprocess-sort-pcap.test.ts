/**
 * `retis sort`, `retis pcap` and `retis schema` as users run them: on files
 * written by Retis (our pcap-ng must read, in tcpdump and tshark, as the one
 * Retis wrote), and on a collection of a real ping between two namespaces.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodePacket, parseLine, readEvents, type Json } from './helpers/events';
import { createNsPair, nsInode, type NsPair } from './helpers/netns';
import { expectExit0, RETIS, ROOT, runRetis } from './helpers/retis';

jest.setTimeout(120_000);

const FIXTURES = path.join(ROOT, 'test/fixtures/retis-1.7');
const fixture = (f: string) => path.join(FIXTURES, f);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-e2e-sortpcap-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a reader of pcap files (tcpdump, tshark) and returns its stdout; fails the test on an error. */
function read(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) throw new Error(`${cmd}: ${r.error.message}`);
  expectExit0(r);
  return r.stdout;
}

/** A shell pipeline (retis | reader), failing if either fails, with retis run as the tests run it. */
function pipeline(retisArgs: string[], reader: string): { status: number | null; stdout: string; stderr: string } {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `${quote(process.execPath)} ${quote(RETIS)} ${retisArgs.map(quote).join(' ')} | ${reader}`;
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('on files written by Retis', () => {
  let ours: string;
  const retis = fixture('test_events_packets.pcap');
  beforeAll(() => {
    ours = path.join(tmp, 'packets.pcapng');
    const r = runRetis(['pcap', '-o', ours, fixture('test_events_packets.json')]);
    expectExit0(r);
    expect(r.stderr).toBe('26 event(s) were processed\n');
    expect(r.stdout).toBe('');
  });

  it('writes packets tcpdump reads exactly as Retis\'s pcap-ng', () => {
    const theirs = read('tcpdump', ['-nn', '-tt', '-v', '-r', retis]);
    expect(theirs.split('\n').filter((l) => / IP \(/.test(l))).toHaveLength(26);
    expect(read('tcpdump', ['-nn', '-tt', '-v', '-r', ours])).toBe(theirs);
  });

  it('writes packets, interfaces and comments tshark reads exactly as Retis\'s', () => {
    const fields = ['frame.time_epoch', 'frame.interface_id', 'frame.interface_name', 'frame.interface_description',
      'frame.cap_len', 'frame.len', 'frame.comment', 'ip.src', 'ip.dst', 'icmp.type', 'icmp.seq'];
    const args = (file: string) => ['-r', file, '-Y', 'eth', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
    const theirs = read('tshark', args(retis));
    expect(theirs.split('\n').filter(Boolean)).toHaveLength(26);
    expect(read('tshark', args(ours))).toBe(theirs);
  });

  it('streams to stdout, for a pipe into tcpdump', () => {
    const r = pipeline(['pcap', '-p', 'tp:net:netif_receive_skb', fixture('test_events_packets.json')], 'tcpdump -nn -tt -r -');
    expectExit0(r);
    // Every line must be one of Retis's file...
    const expected = read('tcpdump', ['-nn', '-tt', '-r', retis]).split('\n');
    const netif = readEvents(fixture('test_events_packets.json')).filter((e) => e.kernel?.symbol === 'net:netif_receive_skb');
    const lines = r.stdout.split('\n').filter(Boolean);
    // ...of which the netif_receive_skb ones, by their wall-clock time.
    const offset = 1742309146691042000n;
    const times = netif.map((e) => {
      const ns = BigInt(e.common.timestamp) + offset;
      return `${ns / 1_000_000_000n}.${String((ns % 1_000_000_000n) / 1000n).padStart(6, '0')}`;
    });
    expect(lines.map((l) => l.split(' ')[0])).toEqual(times);
    for (const l of lines) expect(expected).toContain(l);
  });

  it('prints the schema it writes into the pcap-ng', () => {
    const r = runRetis(['schema']);
    expectExit0(r);
    const schema = JSON.parse(r.stdout) as Json;
    expect(schema.title).toBe('Retis Metadata');
    // The custom block: type 0xBAD, PEN 70000, then the compact schema.
    const file = fs.readFileSync(ours);
    const shbLength = file.readUInt32LE(4);
    expect(file.readUInt32LE(shbLength)).toBe(0xbad);
    const blockLength = file.readUInt32LE(shbLength + 4);
    expect(file.readUInt32LE(shbLength + 8)).toBe(70000);
    const embedded = file.toString('utf8', shbLength + 12, shbLength + blockLength - 4).replace(/\0+$/, '');
    expect(JSON.parse(embedded)).toEqual(schema);
  });

  it('reports a probe absent from the file', () => {
    const out = path.join(tmp, 'absent.pcapng');
    const r = runRetis(['pcap', '-p', 'kprobe:ip_rcv', '-o', out, fixture('test_events_packets.json')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toBe('Error: Probe not found in the events\n');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('sorts, refuses to store an old file, and leaves a sorted one alone', () => {
    const sorted = runRetis(['sort', fixture('test_events.json')]);
    expectExit0(sorted);
    expect(sorted.stdout).toContain('\n  ↳ 23868955276361 (3) [napi/phy0-8197] 1360 [kr] ovs_dp_upcall '
      + '#15b56c998008ffff8c0aa653ba00 (skb ffff8c03aa978a00) n 1\n      upcall_ret (1/23868955262984) ret 0\n\n');

    const out = path.join(tmp, 'old.sorted');
    const old = runRetis(['sort', '-o', out, fixture('test_events.json')]);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toBe('Error: Storing sorted events is not supported (input event format is too old, remove `--out`)\n');

    const again = runRetis(['sort', fixture('test_events_sorted.json')]);
    expectExit0(again);
    expect(again.stderr).toBe('File already sorted\n');
    expect(again.stdout).toBe('');
  });
});

/** Ids of the loaded BPF programs of our probes. */
function probePrograms(): Set<number> {
  const r = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  const progs = JSON.parse(r.stdout || '[]') as { id: number; name?: string }[];
  return new Set(progs.filter((p) => p.name?.startsWith('probe_')).map((p) => p.id));
}

/** ICMP echo fields of an Ethernet + IPv4 frame. */
function icmpEcho(e: Json): { type: number; id: number; seq: number } | undefined {
  if (e.packet === undefined || decodePacket(e.packet.data).proto !== 1) return undefined;
  const b = Buffer.from(e.packet.data, 'base64');
  const l4 = 14 + (b[14] & 0x0f) * 4;
  return { type: b[l4], id: b.readUInt16BE(l4 + 4), seq: b.readUInt16BE(l4 + 6) };
}

describe('on a collection', () => {
  let pair: NsPair;
  let data: string;
  let events: Json[];
  /** Events of our two namespaces (other collections on the machine may send pings too). */
  let ours: Json[];
  let before: Set<number>;
  const inA = (cmd: string) => `ip netns exec ${pair.a} ${cmd}`;

  beforeAll(() => {
    pair = createNsPair('srt');
    const inodes = new Set([nsInode(pair.a), nsInode(pair.b)]);
    data = path.join(tmp, 'ping.data');
    before = probePrograms();
    const r = runRetis(['collect', '-c', 'skb,skb-tracking,dev,ns', '-p', 'tp:net:netif_receive_skb', '-p', 'tp:net:net_dev_start_xmit',
      '-o', data, '--cmd', inA(`ping -c 2 -i 0.2 -W 2 ${pair.addrB}`)]);
    expectExit0(r);
    events = readEvents(data);
    ours = events.filter((e) => e.netns !== undefined && inodes.has(Number(e.netns.inum)));
  });
  afterAll(() => pair?.destroy());

  it('leaves no probe program loaded once the collection ended', async () => {
    // Programs loaded since the collection started and still there after it
    // exited would be ours: wait out concurrent collections of other runs.
    let left: number[] = [];
    for (let tries = 0; tries < 20; tries++) {
      left = [...probePrograms()].filter((id) => !before.has(id));
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(left).toEqual([]);
  });

  const icmp = (type: number) => ours.filter((e) => icmpEcho(e)?.type === type);
  const trackingKey = (t: Json) => `${t.timestamp}/${t.orig_head}`;

  it('groups the events of each ping request into one series', () => {
    const requests = icmp(8);
    // Sent from a, received on b, for each of the two requests.
    expect(requests.length).toBeGreaterThanOrEqual(4);
    const ids = [...new Set(requests.map((e) => trackingKey(e['skb-tracking'])))];
    expect(ids).toHaveLength(2);

    const sortedPath = path.join(tmp, 'ping.sorted');
    const r = runRetis(['sort', '-o', sortedPath, data]);
    expectExit0(r);
    expect(r.stdout).toBe('');
    const series = fs.readFileSync(sortedPath, 'utf8').split('\n').filter(Boolean).map((l) => parseLine(l) as unknown as Json[]);
    expect(series[0]).toHaveLength(1);
    expect(series[0][0].startup).toBeDefined();
    expect(series.flat()).toHaveLength(events.length);

    for (const id of ids) {
      const mine = requests.filter((e) => trackingKey(e['skb-tracking']) === id);
      const holding = series.filter((s) => s.some((e) => e['skb-tracking'] !== undefined && trackingKey(e['skb-tracking']) === id));
      expect(holding).toHaveLength(1);
      const [s] = holding;
      // The whole series is this packet: its events, in file order, numbered from 0.
      expect(s.map((e) => trackingKey(e.tracking.skb))).toEqual(s.map(() => id));
      expect(s.map((e) => e.tracking.idx)).toEqual(s.map((_, i) => i));
      expect(s.map((e) => String(e.common.timestamp))).toEqual(
        events.filter((e) => e['skb-tracking'] !== undefined && trackingKey(e['skb-tracking']) === id).map((e) => String(e.common.timestamp)));
      expect(s.length).toBeGreaterThanOrEqual(mine.length);
    }
    // Series come out oldest first.
    const firstSeen = series.slice(1).map((s) => BigInt((s[0].tracking?.skb ?? s[0].common).timestamp));
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('writes and prints at once with --print, and bounds its buffer with --max-buffer', () => {
    const both = path.join(tmp, 'ping-both.sorted');
    const r = runRetis(['sort', '--print', '-o', both, data]);
    expectExit0(r);
    const series = fs.readFileSync(both, 'utf8').split('\n').filter(Boolean);
    // One printed block per stored series.
    expect(r.stdout.split('\n\n').filter(Boolean)).toHaveLength(series.length);

    // A buffer of one event sends every event out alone, in file order.
    const one = path.join(tmp, 'ping-one.sorted');
    expect(runRetis(['sort', '--max-buffer', '1', '-o', one, data]).status).toBe(0);
    const singles = fs.readFileSync(one, 'utf8').split('\n').filter(Boolean).map((l) => parseLine(l) as unknown as Json[]);
    expect(singles.map((s) => s.length)).toEqual(events.map(() => 1));
    expect(singles.map((s) => String(s[0].common.timestamp))).toEqual(events.map((e) => String(e.common.timestamp)));

    const bad = runRetis(['sort', '--max-buffer=many', data]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/^Error: Invalid value for --max-buffer/);
  });

  it('prints each request as one block, its later events marked', () => {
    const r = runRetis(['sort', data]);
    expectExit0(r);
    const request = icmp(8)[0];
    const t = request['skb-tracking'];
    const id = ((BigInt(t.timestamp) << 64n) | BigInt(t.orig_head)).toString(16);
    const block = r.stdout.split('\n\n').find((b) => b.includes(`#${id} `));
    expect(block).toBeDefined();
    const heads = block!.split('\n').filter((l) => l.includes(`#${id} `));
    expect(heads[0]).toMatch(new RegExp(`^${request.common.timestamp} .* n 0$`));
    heads.slice(1).forEach((l, i) => expect(l).toMatch(new RegExp(`^  ↳ \\d+ .*#${id} \\(skb [0-9a-f]+\\) n ${i + 1}$`)));
    expect(heads.length).toBe(events.filter((e) => e['skb-tracking'] && trackingKey(e['skb-tracking']) === trackingKey(t)).length);
  });

  it('gives tcpdump the ICMP packets received, from pcap -p tp:net:netif_receive_skb', () => {
    const r = pipeline(['pcap', '-p', 'tp:net:netif_receive_skb', data], 'tcpdump -nnr - icmp');
    expectExit0(r);
    const lines = r.stdout.split('\n').filter(Boolean);
    const received = events.filter((e) => e.kernel?.symbol === 'net:netif_receive_skb' && e.packet !== undefined
      && decodePacket(e.packet.data).proto === 1);
    expect(lines).toHaveLength(received.length);
    // Our ping's two requests and two replies, by its ICMP id.
    const id = icmpEcho(icmp(8)[0])!.id;
    const requests = lines.filter((l) => l.includes(`IP ${pair.addrA} > ${pair.addrB}: ICMP echo request, id ${id}, seq `));
    const replies = lines.filter((l) => l.includes(`IP ${pair.addrB} > ${pair.addrA}: ICMP echo reply, id ${id}, seq `));
    expect(requests).toHaveLength(2);
    expect(replies).toHaveLength(2);
    expect(r.stderr).toMatch(/\d+ event\(s\) were processed/);
  });
});
