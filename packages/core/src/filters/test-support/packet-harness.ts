/**
 * Runs generated packet filter blocks in the kernel through
 * test/fixtures/filters/packet_filter_harness.bpf.c.
 *
 * The packets live in one array map, written once: a first object owns it
 * for the whole test and every filter object loaded after it reuses it
 * (MapSpec.reuseFd), so that one expression costs one load and then one
 * BPF_PROG_TEST_RUN per packet.
 */
import type { BpfNative, BpfObject } from '@retis/bpf-native';
import { defaultFilterInsns, FILTER_MAGIC } from '../placeholders';
import { harnessBytes } from './bpf-build';

/** Keep in sync with packet_filter_harness.bpf.c. */
export const PACKET_BYTES = 1536;
export const PACKET_SLOTS = 4096;
const PACKET_HEADER = 8;
const HARNESS_ERROR = 0xffffffff;
const HARNESS = 'packet_filter_harness';

export interface HarnessPacket {
  /** The frame from its Ethernet header; at most PACKET_BYTES. */
  bytes: Buffer;
  /** Offset of the network header (what filter_l3 sees). */
  l3Offset: number;
}

export type Layer = 2 | 3;

/** The bytes a filter can see for a packet: the frame zero-padded to PACKET_BYTES, as in the map. */
export function paddedView(packet: HarnessPacket, layer: Layer): Buffer {
  const padded = Buffer.alloc(PACKET_BYTES);
  packet.bytes.copy(padded);
  return layer === 2 ? padded : padded.subarray(packet.l3Offset);
}

export function wireLength(packet: HarnessPacket, layer: Layer): number {
  return layer === 2 ? packet.bytes.length : packet.bytes.length - packet.l3Offset;
}

export class LoadedPacketFilter {
  private readonly args = Buffer.alloc(24);

  constructor(
    private readonly native: BpfNative,
    private readonly object: BpfObject,
    private readonly progFd: number,
  ) {}

  /**
   * The filter's r0 for packet `index` at `layer`; `copy: false` runs it as a
   * probe does when the packet's first bytes cannot be read.
   */
  run(index: number, layer: Layer, { copy = true } = {}): number {
    this.args.writeBigUInt64LE(BigInt(index), 0);
    this.args.writeBigUInt64LE(BigInt(layer), 8);
    this.args.writeBigUInt64LE(copy ? 0n : 1n, 16);
    const { retval } = this.native.testRun(this.progFd, Buffer.alloc(0), this.args);
    if (retval === HARNESS_ERROR) throw new Error(`packet harness: no packet ${index} or bad l3 offset`);
    return retval;
  }

  close(): void {
    this.object.close();
  }
}

export class PacketHarness {
  private readonly bytes = harnessBytes(HARNESS);
  private owner?: BpfObject;

  constructor(private readonly native: BpfNative) {}

  /** Loads the map owner and writes the packets at indexes 0.. */
  async setPackets(packets: readonly HarnessPacket[]): Promise<void> {
    if (packets.length > PACKET_SLOTS) throw new Error(`at most ${PACKET_SLOTS} packets`);
    if (this.owner === undefined) this.owner = await this.loadObject(defaultFilterInsns(), defaultFilterInsns(), false);
    const fd = this.owner.map('packets').fd;
    const key = Buffer.alloc(4);
    packets.forEach((p, i) => {
      if (p.bytes.length > PACKET_BYTES) throw new Error(`packet ${i} is longer than ${PACKET_BYTES} bytes`);
      const value = Buffer.alloc(PACKET_HEADER + PACKET_BYTES);
      value.writeUInt32LE(p.bytes.length, 0);
      value.writeUInt32LE(p.l3Offset, 4);
      p.bytes.copy(value, PACKET_HEADER);
      key.writeUInt32LE(i);
      this.native.map.update(fd, key, value);
    });
  }

  /** Loads an object running `l2` and `l3`; rejects with the verifier's log if the kernel refuses it. */
  async load(l2: Buffer, l3: Buffer): Promise<LoadedPacketFilter> {
    const object = await this.loadObject(l2, l3, true);
    return new LoadedPacketFilter(this.native, object, object.program('run_filter').fd);
  }

  private async loadObject(l2: Buffer, l3: Buffer, reuse: boolean): Promise<BpfObject> {
    const object = this.native.openObject(this.bytes, HARNESS);
    try {
      if (reuse) {
        if (this.owner === undefined) throw new Error('setPackets() first');
        object.map('packets').reuseFd(this.owner.map('packets').fd);
      }
      object.patchCalls(FILTER_MAGIC.l2, l2);
      object.patchCalls(FILTER_MAGIC.l3, l3);
      await object.load();
      return object;
    } catch (e) {
      object.close();
      throw e;
    }
  }

  close(): void {
    this.owner?.close();
    this.owner = undefined;
  }
}
