// The raw surface of build/Release/bpf_native.node. index.ts validates
// arguments before calling any of it and exposes the api.ts shapes.
import type { BatchCallback, BtfType, KernelFeatures, RingBufferStats } from './api';
import type { BpfError } from './errors';

export type NativeObjectState = 'opened' | 'loading' | 'loaded' | 'failed' | 'closed';

export interface NativeObject {
  readonly name: string;
  readonly state: NativeObjectState;
  setGlobal(name: string, value: Buffer): void;
  programs(): NativeProgram[];
  program(name: string): NativeProgram | undefined;
  maps(): NativeMap[];
  map(name: string): NativeMap | undefined;
  patchCalls(magic: number, insns: Buffer): void;
  load(): Promise<void>;
  close(): void;
}

export interface NativeProgram {
  readonly name: string;
  readonly sectionName: string;
  readonly fd: number;
  setAutoload(on: boolean): void;
  insns(): Buffer;
  setAttachTarget(func: string): void;
  attachRawTracepoint(name: string, cookie?: bigint): NativeLink;
  attachTracepoint(group: string, name: string): NativeLink;
  attachTpBtf(): NativeLink;
  attachKprobe(func: string, opts: { retprobe?: boolean; cookie?: bigint }): NativeLink;
  attachKprobeMulti(funcs: string[], opts: { retprobe?: boolean; cookies?: bigint[] }): NativeLink;
  attachUprobe(path: string, offset: bigint, opts: { retprobe?: boolean; pid?: number; cookie?: bigint }): NativeLink;
  attachUsdt(path: string, provider: string, name: string, opts: { pid?: number; cookie?: bigint }): NativeLink;
  attachTrace(): NativeLink;
}

export interface NativeMap {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly fd: number;
  reuseFd(fd: number): void;
  setMaxEntries(n: number): void;
}

export interface NativeLink {
  readonly fd: number;
  close(): void;
}

export interface NativeRingBuffer {
  readonly running: boolean;
  start(): void;
  stop(): Promise<void>;
  stats(): RingBufferStats;
  close(): void;
}

export interface NativeBtf {
  readonly typeCount: number;
  readonly split: boolean;
  findByName(name: string, kind?: string): number;
  type(id: number): BtfType;
  close(): void;
}

export interface NativeAddon {
  initialize(errorClass: typeof BpfError): void;
  openObject(source: string | Buffer, name?: string): NativeObject;
  ringBuffer(mapFd: number, onBatch: BatchCallback): NativeRingBuffer;
  mapLookup(fd: number, key: Buffer, valueSize: number): Buffer | null;
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags: number): void;
  mapDelete(fd: number, key: Buffer): boolean;
  mapKeys(fd: number, keySize: number): Buffer[];
  loadBtf(path?: string): NativeBtf;
  /** /sys/kernel/btf/<module> split over `base` (a vmlinux NativeBtf) or over vmlinux loaded for it. */
  loadModuleBtf(module: string, base?: NativeBtf): NativeBtf;
  pcapCompile(expr: string, linkType: number, snaplen: number, optimize: boolean): Buffer;
  pcapFilter(program: Buffer, packet: Buffer, wireLen: number): number;
  /** One feature, probed on first use and cached. */
  feature(name: keyof KernelFeatures): boolean;
  testRun(progFd: number, data: Buffer, ctx?: Buffer): { retval: number; duration: number };
  setLogHandler(fn: ((level: number, msg: string) => void) | null): void;
  bumpMemlock(): void;
}
