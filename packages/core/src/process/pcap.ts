/**
 * `retis pcap` (reference §9): the packets of an events file as pcap-ng,
 * for tcpdump, tshark or Wireshark.
 *
 * - Only events with a kernel section are considered; with `probe`, only
 *   those of that probe (`[TYPE:]TARGET` as for collect: a bare
 *   `group:event` is a tracepoint, a bare name a kprobe). No event of the
 *   probe at all is an error.
 * - Blocks: a section header, a custom block (PEN 70000) holding the
 *   compact JSON Schema of events, then per probe, on its first packet, an
 *   interface description (`if_name` = `{probe_type}/{symbol}`, ns
 *   timestamps), and an enhanced packet block per event with a packet:
 *   the captured bytes, the original length, the wall-clock time
 *   (common.timestamp + the startup event's clock offset), the event's
 *   console text as comment and its JSON without `packet` as a custom
 *   option. Matched events without packet are counted and skipped.
 * - Nothing is opened or written until the first block: a run that finds
 *   no packet leaves no file behind.
 *
 * Sorted files are read too: their events go out series by series.
 */
import type { Writable } from 'stream';
import { formatEvent } from '../display/event-text';
import { monotonicOffsetNs } from '../display/time';
import { RetisError, RetisErrorCode } from '../errors';
import { type EventsFileError, EventsFileReader } from '../events/file-reader';
import type { SectionRegistry } from '../events/registry';
import type { DisplayFormat } from '../events/section';
import type { RetisEvent } from '../events/types';
import { parseProbeSpec, type ProbeKind } from '../probe/spec';
import { PcapSink } from './pcap-sink';
import {
  customBlock, customUtf8Option, enhancedPacketBlock, interfaceDescriptionBlock, LINKTYPE_ETHERNET, OPT_COMMENT,
  RETIS_PEN, sectionHeaderBlock, utf8Option,
} from './pcapng-blocks';
import { eventJsonSchema } from './schema';

export const PROBE_NOT_FOUND = 'Probe not found in the events';

export interface PcapOptions {
  /** Sections to read, format and write with (core + collectors). */
  registry: SectionRegistry;
  /** `[TYPE:]TARGET`: only the events of this probe. */
  probe?: string;
  /** Read the following split files too. */
  follow?: boolean;
  /** `N event(s) were skipped because of missing raw packet`, a cut last line. */
  onWarning?: (msg: string) => void;
  /** `N event(s) were processed`. */
  onInfo?: (msg: string) => void;
  /** Invalid lines are skipped and reported here; without it the first one is an error. */
  onInvalidLine?: (error: EventsFileError) => void;
}

export interface PcapSummary {
  /** Events of the probe (with a kernel section). */
  processed: number;
  /** Of those, events without packet. */
  missingPacket: number;
  /** Packets written. */
  packets: number;
  /** Probes seen, in interface id order (`{probe_type}/{symbol}`). */
  interfaces: string[];
}

/** What `-p` selects: a probe type and target, compared with the kernel section. */
interface ProbeFilter {
  type: ProbeKind;
  symbol: string;
}

function probeFilter(spec: string | undefined): ProbeFilter | undefined {
  if (spec === undefined) return undefined;
  const parsed = parseProbeSpec(spec);
  return { type: parsed.kind, symbol: parsed.target };
}

/**
 * Write the packets of the events file at `path` as pcap-ng to the stream
 * `open` gives (called on the first block only). Throws RetisError
 * (`Probe not found in the events`, a bad probe) or EventsFileError.
 */
export async function writePcapng(
  path: string,
  open: () => Writable,
  opts: PcapOptions & { endStream?: boolean },
): Promise<PcapSummary> {
  const filter = probeFilter(opts.probe);
  const reader = EventsFileReader.open(path, opts);
  const sink = new PcapSink(open);
  const writer = new PcapngEventWriter(opts.registry, sink);
  let matched = false;
  try {
    for (const event of eventsOf(reader)) {
      const kernel = event.kernel;
      if (kernel === undefined) {
        if (event.startup !== undefined) writer.offset = monotonicOffsetNs(event.startup.clock_monotonic_offset);
        continue;
      }
      if (filter !== undefined && (kernel.probe_type !== filter.type || kernel.symbol !== filter.symbol)) continue;
      matched = true;
      const writing = writer.write(event);
      if (writing !== undefined) await writing;
      if (sink.closed) break;
    }
  } finally {
    reader.close();
    await sink.end(opts.endStream ?? false);
  }
  if (!matched) throw new RetisError(PROBE_NOT_FOUND, RetisErrorCode.UnknownProbe);
  const summary = writer.summary();
  opts.onInfo?.(`${summary.processed} event(s) were processed`);
  if (summary.missingPacket > 0) opts.onWarning?.(`${summary.missingPacket} event(s) were skipped because of missing raw packet`);
  return summary;
}

function* eventsOf(reader: EventsFileReader): Generator<RetisEvent, void, undefined> {
  if (reader.kind === 'events') {
    yield* reader.events();
    return;
  }
  for (const series of reader.series()) yield* series;
}

/** Turns events into pcap-ng blocks: the header blocks once, an interface per probe. */
export class PcapngEventWriter {
  /** CLOCK_REALTIME - CLOCK_MONOTONIC in ns, from the last startup event (0 before any). */
  offset = 0n;
  private readonly interfaces = new Map<string, number>();
  private processed = 0;
  private missingPacket = 0;
  private packets = 0;
  private readonly fmt: DisplayFormat = { multiLine: true, utc: false, linkLayer: false };

  constructor(
    private readonly registry: SectionRegistry,
    private readonly sink: { write(bytes: Buffer): Promise<void> | undefined },
  ) {}

  /** Blocks of one event of a selected probe; returns the sink's pending flush, if any. */
  write(event: RetisEvent): Promise<void> | undefined {
    const common = event.common;
    const kernel = event.kernel;
    if (common === undefined) throw new RetisError('No common section in event', RetisErrorCode.EventsFile);
    if (kernel === undefined) throw new RetisError('No kernel section in event', RetisErrorCode.EventsFile);
    this.processed++;
    // The packet section belongs to the skb collector: only its JSON shape is known here.
    const packet = event.packet as { len: number; data: string } | undefined;
    if (packet === undefined || packet === null) {
      this.missingPacket++;
      return undefined;
    }
    const blocks: Buffer[] = [];
    if (this.packets === 0) {
      blocks.push(sectionHeaderBlock());
      blocks.push(customBlock(RETIS_PEN, Buffer.from(JSON.stringify(eventJsonSchema(this.registry)), 'utf8')));
    }
    const name = `${kernel.probe_type}/${kernel.symbol}`;
    let id = this.interfaces.get(name);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(name, id);
      blocks.push(interfaceDescriptionBlock({
        linktype: LINKTYPE_ETHERNET,
        snaplen: 0xffff,
        name,
        description: `Fake interface for probe ${name}`,
        tsresol: 9,
      }));
    }
    try {
      blocks.push(enhancedPacketBlock({
        interfaceId: id,
        timestamp: common.timestamp + this.offset,
        data: Buffer.from(packet.data, 'base64'),
        originalLength: packet.len,
        options: [
          utf8Option(OPT_COMMENT, formatEvent(event, this.registry, this.fmt)),
          customUtf8Option(RETIS_PEN, this.registry.eventToJson({ ...event, packet: undefined })),
        ],
      }));
    } catch (e) {
      // An option holds at most 65535 bytes: a huge event cannot be carried.
      if (e instanceof RangeError) {
        throw new RetisError(`Event at ${common.timestamp} cannot be written as pcap-ng: ${e.message}`, RetisErrorCode.OutputFile);
      }
      throw e;
    }
    this.packets++;
    return this.sink.write(blocks.length === 1 ? blocks[0] : Buffer.concat(blocks));
  }

  summary(): PcapSummary {
    return {
      processed: this.processed,
      missingPacket: this.missingPacket,
      packets: this.packets,
      interfaces: [...this.interfaces.keys()],
    };
  }
}
