import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PassThrough, type Writable } from 'stream';
import type { RetisEvent } from '../events/types';
import { PROBE_NOT_FOUND, type PcapOptions, type PcapSummary, writePcapng } from './pcap';
import { OPT_COMMENT, OPT_CUSTOM_UTF8_COPIABLE, RETIS_PEN } from './pcapng-blocks';
import { type PcapngBlockRead, optionTexts, readPcapngBlocks } from './pcapng-reader.testutil';
import { bundledRegistry, fixture, kernelEvent, skb } from './sort-support.testutil';

const registry = bundledRegistry();
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'retis-pcap-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function pcap(input: string, opts: Partial<PcapOptions> = {}): Promise<{ bytes: Buffer; summary: PcapSummary; opened: boolean }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (d: Buffer) => chunks.push(d));
  let opened = false;
  const summary = await writePcapng(input, () => ((opened = true), out), { registry, ...opts });
  return { bytes: Buffer.concat(chunks), summary, opened };
}

const packets = (blocks: PcapngBlockRead[]) => blocks.filter((b): b is Extract<PcapngBlockRead, { kind: 'packet' }> => b.kind === 'packet');
const interfaces = (blocks: PcapngBlockRead[]) => blocks.filter((b): b is Extract<PcapngBlockRead, { kind: 'interface' }> => b.kind === 'interface');

/** The custom option's JSON, after the 4-byte PEN. */
function customJson(options: { code: number; value: Buffer }[]): { pen: number; json: string } {
  const opt = options.find((o) => o.code === OPT_CUSTOM_UTF8_COPIABLE);
  if (opt === undefined) throw new Error('no custom option');
  return { pen: opt.value.readUInt32LE(0), json: opt.value.toString('utf8', 4) };
}

describe('pcap of Retis\'s test_events_packets.json', () => {
  let ours: PcapngBlockRead[];
  let retis: PcapngBlockRead[];
  let summary: PcapSummary;
  let ourBytes: Buffer;
  beforeAll(async () => {
    const r = await pcap(fixture('test_events_packets.json'));
    ourBytes = r.bytes;
    ours = readPcapngBlocks(r.bytes);
    summary = r.summary;
    retis = readPcapngBlocks(readFileSync(fixture('test_events_packets.pcap')));
  });

  it('has Retis\'s blocks in Retis\'s order', () => {
    expect(ours.map((b) => b.kind)).toEqual(retis.map((b) => b.kind));
    expect(ours[0]).toEqual(retis[0]);
    expect(ours[0]).toMatchObject({ kind: 'section', major: 1, minor: 0, sectionLength: -1n });
  });

  it('is Retis\'s file byte for byte, but for the schema block', () => {
    // Blocks are laid end to end: drop the custom ones (type 0xBAD) by their length field.
    const withoutCustom = (file: Buffer): Buffer => {
      const kept: Buffer[] = [];
      for (let off = 0; off < file.length; off += file.readUInt32LE(off + 4)) {
        if (file.readUInt32LE(off) !== 0xbad) kept.push(file.subarray(off, off + file.readUInt32LE(off + 4)));
      }
      return Buffer.concat(kept);
    };
    const retisFile = readFileSync(fixture('test_events_packets.pcap'));
    expect(withoutCustom(ourBytes).equals(withoutCustom(retisFile))).toBe(true);
    expect(withoutCustom(ourBytes).length).toBe(retisFile.length - 25540);
  });

  it('starts with the event schema in a custom block of PEN 70000', () => {
    const block = ours[1];
    expect(block.kind).toBe('custom');
    if (block.kind !== 'custom') return;
    expect(block.type).toBe(0xbad);
    expect(block.pen).toBe(RETIS_PEN);
    const text = block.payload.toString('utf8').replace(/\0+$/, '');
    expect(text).not.toContain('\n');
    const schema = JSON.parse(text) as { $schema: string; title: string; properties: Record<string, unknown> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('Retis Metadata');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['common', 'kernel', 'packet', 'ovs', 'ct']));
  });

  it('describes one fake interface per probe, as Retis', () => {
    expect(interfaces(ours)).toEqual(interfaces(retis));
    const first = interfaces(ours)[0];
    expect(first.linktype).toBe(1);
    expect(first.snaplen).toBe(0xffff);
    expect(optionTexts(first.options, 2)).toEqual(['raw_tracepoint/net:net_dev_start_xmit']);
    expect(optionTexts(first.options, 3)).toEqual(['Fake interface for probe raw_tracepoint/net:net_dev_start_xmit']);
    expect(first.options.find((o) => o.code === 9)?.value).toEqual(Buffer.from([9]));
  });

  it('has Retis\'s packets: interface, wall-clock ns, bytes, length', () => {
    const a = packets(ours);
    const b = packets(retis);
    expect(a).toHaveLength(26);
    expect(a.map(({ options: _o, ...p }) => p)).toEqual(b.map(({ options: _o, ...p }) => p));
    // 30419169061793 ns of CLOCK_MONOTONIC + the startup offset 1742309146.691042000 s.
    expect(a[0].timestamp).toBe(1742339565860103793n);
  });

  it('comments each packet with Retis\'s text of its event', () => {
    const a = packets(ours).map((p) => optionTexts(p.options, OPT_COMMENT));
    const b = packets(retis).map((p) => optionTexts(p.options, OPT_COMMENT));
    expect(a).toEqual(b);
    expect(a[0][0].split('\n')[1]).toBe('  192.168.125.10 > 192.168.125.11 tos 0x0 ttl 64 id 41977 off 0 [DF] len 84 proto ICMP (1) type 8 code 0');
  });

  it('carries each event as JSON without its packet, byte for byte as Retis', () => {
    const lines = readFileSync(fixture('test_events_packets.json'), 'utf8').split('\n').filter((l) => l.includes('"kernel"'));
    packets(ours).forEach((p, i) => {
      const ourOption = customJson(p.options);
      expect(ourOption.pen).toBe(RETIS_PEN);
      expect(ourOption).toEqual(customJson(packets(retis)[i].options));
      // The input line with its packet section cut out.
      expect(ourOption.json).toBe(lines[i].replace(/,"packet":\{[^}]*\}/, ''));
    });
  });

  it('counts what it processed', () => {
    expect(summary).toMatchObject({ processed: 26, missingPacket: 0, packets: 26 });
    expect(summary.interfaces).toEqual(interfaces(retis).map((i) => optionTexts(i.options, 2)[0]));
  });
});

describe('probe selection', () => {
  it('keeps the events of one probe, written as the reference parses -p', async () => {
    for (const probe of ['kretprobe:ovs_dp_upcall', 'kr:ovs_dp_upcall']) {
      const { bytes, summary } = await pcap(fixture('test_events_packets.json'), { probe });
      const blocks = readPcapngBlocks(bytes);
      expect(interfaces(blocks).map((i) => optionTexts(i.options, 2))).toEqual([['kretprobe/ovs_dp_upcall']]);
      expect(packets(blocks).map((p) => p.timestamp)).toEqual([1742339565860167909n, 1742339565860414774n]);
      expect(packets(blocks).every((p) => p.interfaceId === 0)).toBe(true);
      expect(summary.processed).toBe(2);
    }
  });

  it('reads a bare group:event as a tracepoint and a bare name as a kprobe', async () => {
    const tp = await pcap(fixture('test_events_packets.json'), { probe: 'skb:kfree_skb' });
    expect(tp.summary.processed).toBe(2);
    // ovs_dp_upcall was only seen as a kretprobe and a tracepoint, never as a kprobe.
    await expect(pcap(fixture('test_events_packets.json'), { probe: 'ovs_dp_upcall' })).rejects.toThrow(PROBE_NOT_FOUND);
  });

  it('fails without opening the output when the probe is not in the file', async () => {
    let opened = false;
    await expect(writePcapng(fixture('test_events_packets.json'), () => ((opened = true), new PassThrough()), {
      registry, probe: 'tp:net:netif_rx',
    })).rejects.toThrow(PROBE_NOT_FOUND);
    expect(opened).toBe(false);
  });

  it('rejects a malformed probe', async () => {
    await expect(pcap(fixture('test_events_packets.json'), { probe: 'bogus:a:b' })).rejects.toThrow(/Invalid TYPE bogus/);
  });
});

const startup: RetisEvent = {
  common: { timestamp: 5n },
  startup: {
    retis_version: 'v1.7.0', cmdline: 'retis collect', clock_monotonic_offset: { sec: 100n, nsec: 5n },
    machine: { kernel_release: 'r', kernel_version: 'v', hardware_name: 'x86_64' },
  },
};
const withPacket = (ts: bigint): RetisEvent => ({
  ...kernelEvent(ts, 'net:netif_receive_skb', { tracking: skb(ts, 0x10n) }),
  packet: { len: 60, capture_len: 14, data: Buffer.from('ffffffffffff0200000000010800', 'hex').toString('base64') },
});
function file(name: string, events: RetisEvent[]): string {
  const path = join(tmp, name);
  writeFileSync(path, events.map((e) => registry.eventToJson(e) + '\n').join(''));
  return path;
}

describe('events without packet', () => {
  it('are counted, reported and skipped', async () => {
    const info: string[] = [];
    const warnings: string[] = [];
    const input = file('mixed.json', [startup, kernelEvent(10n, 'net:netif_receive_skb'), withPacket(20n), kernelEvent(30n, 'ip_rcv')]);
    const { bytes, summary } = await pcap(input, { onInfo: (m) => info.push(m), onWarning: (m) => warnings.push(m) });
    expect(summary).toMatchObject({ processed: 3, missingPacket: 2, packets: 1 });
    expect(info).toEqual(['3 event(s) were processed']);
    expect(warnings).toEqual(['2 event(s) were skipped because of missing raw packet']);
    const [p] = packets(readPcapngBlocks(bytes));
    // 20 ns + 100 s 5 ns; the original length is the packet's, not the capture's.
    expect(p.timestamp).toBe(100_000_000_025n);
    expect(p.originalLength).toBe(60);
    expect(p.data.toString('hex')).toBe('ffffffffffff0200000000010800');
  });

  it('leave no output at all when no event has a packet', async () => {
    const input = file('nopacket.json', [startup, kernelEvent(10n, 'net:netif_receive_skb')]);
    const r = await pcap(input);
    expect(r.opened).toBe(false);
    expect(r.summary).toMatchObject({ processed: 1, missingPacket: 1 });
  });
});

describe('input', () => {
  it('reads sorted files too, series by series', async () => {
    // A sorted file: series lines; its events come out series by series.
    const path = join(tmp, 'sorted.json');
    const s = { ...startup, startup: { ...startup.startup!, clock_monotonic_offset: { sec: 0n, nsec: 0n } } };
    writeFileSync(path, `[${registry.eventToJson(s)}]\n[${registry.eventToJson(withPacket(40n))},${registry.eventToJson(withPacket(41n))}]\n`);
    const { bytes } = await pcap(path);
    expect(packets(readPcapngBlocks(bytes)).map((p) => p.timestamp)).toEqual([40n, 41n]);
  });
});

describe('output', () => {
  it('writes a file that ends complete', async () => {
    const out = join(tmp, 'out.pcapng');
    let stream: Writable | undefined;
    await writePcapng(fixture('test_events_packets.json'), () => (stream = createWriteStream(out)), { registry, endStream: true });
    expect(stream?.writableFinished).toBe(true);
    expect(packets(readPcapngBlocks(readFileSync(out)))).toHaveLength(26);
  });

  it('refuses, clearly, an event too large for a pcap-ng option', async () => {
    const huge = withPacket(20n);
    huge.kernel = { ...huge.kernel!, stack_trace: Array.from({ length: 3000 }, (_, i) => `some_kernel_function_${i}+0x1f/0x80`) };
    const input = file('huge.json', [startup, huge]);
    await expect(pcap(input)).rejects.toThrow('Event at 20 cannot be written as pcap-ng: pcap-ng option 1 is too long');
  });

  it('does not create the file when nothing is written', async () => {
    const out = join(tmp, 'never.pcapng');
    await expect(writePcapng(fixture('test_events_packets.json'), () => createWriteStream(out), { registry, probe: 'k:nothing' }))
      .rejects.toThrow(PROBE_NOT_FOUND);
    expect(existsSync(out)).toBe(false);
  });
});
