import type {
  BatchCallback, BpfNative, BpfObject, Btf, KernelFeatures, MapOps, ModuleBtfSource, RingBufferReader,
} from './api';
import { BtfHandle } from './btf';
import { BpfError } from './errors';
import { loadNativeBinding, type LoadOptions } from './load';
import type { NativeAddon } from './native';
import { BpfObjectHandle } from './object';
import { RingBufferHandle } from './ringbuf';
import { check, isFd, isNonEmptyString, isOptions, isUint } from './validate';

/** Kernel module names as /sys/kernel/btf names their files (MODULE_NAME_LEN - 1 at most); vmlinux is no module. */
function isModuleName(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,55}$/.test(value) && value !== 'vmlinux';
}

export * from './api';
export { BpfError } from './errors';
export { bindingCandidates, loadNativeBinding, type LoadOptions } from './load';

/** libpcap's default for a dead capture, as Retis uses it (pcap crate). */
const DEFAULT_SNAPLEN = 65535;

const FEATURE_NAMES: readonly (keyof KernelFeatures)[] = [
  'rawTracepoint', 'rawTracepointCookie', 'tpBtf', 'tracepoint', 'kprobe', 'kprobeMulti',
  'kretprobe', 'fentry', 'fexit', 'uprobe', 'ringbuf',
];

class BpfNativeImpl implements BpfNative {
  private featureView?: KernelFeatures;
  private addonInstance?: NativeAddon;
  readonly map: MapOps;

  constructor(private readonly options: LoadOptions) {
    this.map = {
      lookup: (fd, key, valueSize) => {
        check('lookup(fd: number, key: Buffer, valueSize: number)', isFd(fd), Buffer.isBuffer(key), isUint(valueSize));
        return this.addon.mapLookup(fd, key, valueSize);
      },
      update: (fd, key, value, flags = 0) => {
        check(
          'update(fd: number, key: Buffer, value: Buffer, flags?: number)',
          isFd(fd),
          Buffer.isBuffer(key),
          Buffer.isBuffer(value),
          isUint(flags),
        );
        this.addon.mapUpdate(fd, key, value, flags);
      },
      delete: (fd, key) => {
        check('delete(fd: number, key: Buffer)', isFd(fd), Buffer.isBuffer(key));
        return this.addon.mapDelete(fd, key);
      },
      keys: (fd, keySize) => {
        check('keys(fd: number, keySize: number)', isFd(fd), isUint(keySize) && keySize > 0);
        return this.addon.mapKeys(fd, keySize);
      },
    };
  }

  /** The addon, loaded on first use so that importing this package never needs it. */
  private get addon(): NativeAddon {
    if (this.addonInstance === undefined) {
      const addon = loadNativeBinding(this.options) as NativeAddon;
      addon.initialize(BpfError);
      this.addonInstance = addon;
    }
    return this.addonInstance;
  }

  openObject(source: string | Buffer, name?: string): BpfObject {
    check(
      'openObject(source: string | Buffer, name?: string)',
      isNonEmptyString(source) || (Buffer.isBuffer(source) && source.length > 0),
      name === undefined || isNonEmptyString(name),
    );
    return new BpfObjectHandle(this.addon.openObject(source, name));
  }

  ringBuffer(mapFd: number, onBatch: BatchCallback): RingBufferReader {
    check(
      'ringBuffer(mapFd: number, onBatch: (data: Buffer, offsets: Uint32Array, lengths: Uint32Array) => void)',
      isFd(mapFd),
      typeof onBatch === 'function',
    );
    return new RingBufferHandle(this.addon.ringBuffer(mapFd, onBatch));
  }

  loadBtf(source?: string | ModuleBtfSource): Btf {
    if (source === undefined || typeof source === 'string') {
      check('loadBtf(path?: string)', source === undefined || isNonEmptyString(source));
      return new BtfHandle(this.addon.loadBtf(source));
    }
    const options: Partial<ModuleBtfSource> = isOptions(source) ? source : {};
    check(
      'loadBtf({ module: string, base?: Btf })',
      isModuleName(options.module),
      options.base === undefined || options.base instanceof BtfHandle,
    );
    return new BtfHandle(this.addon.loadModuleBtf(source.module, (source.base as BtfHandle | undefined)?.native));
  }

  pcapCompile(expr: string, linkType: number, snaplen = DEFAULT_SNAPLEN, optimize = true): Buffer {
    check(
      'pcapCompile(expr: string, linkType: number, snaplen?: number, optimize?: boolean)',
      typeof expr === 'string' && !expr.includes('\0'),
      isUint(linkType, 0x7fffffff),
      isUint(snaplen, 0x7fffffff) && snaplen > 0,
      typeof optimize === 'boolean',
    );
    return this.addon.pcapCompile(expr, linkType, snaplen, optimize);
  }

  pcapFilter(program: Buffer, packet: Buffer, wireLen?: number): number {
    check(
      'pcapFilter(program: Buffer, packet: Buffer, wireLen?: number)',
      Buffer.isBuffer(program) && program.length > 0 && program.length % 8 === 0,
      Buffer.isBuffer(packet),
      wireLen === undefined || isUint(wireLen),
    );
    return this.addon.pcapFilter(program, packet, wireLen ?? packet.length);
  }

  /** Each feature is probed when first read (some probes take tens of ms). */
  features(): KernelFeatures {
    if (!this.featureView) {
      const view = {} as KernelFeatures;
      for (const name of FEATURE_NAMES) {
        Object.defineProperty(view, name, { enumerable: true, get: () => this.addon.feature(name) });
      }
      this.featureView = Object.freeze(view);
    }
    return this.featureView;
  }

  testRun(progFd: number, data: Buffer, ctx?: Buffer): { retval: number; duration: number } {
    check(
      'testRun(progFd: number, data: Buffer, ctx?: Buffer)',
      isFd(progFd),
      Buffer.isBuffer(data),
      ctx === undefined || Buffer.isBuffer(ctx),
    );
    return this.addon.testRun(progFd, data, ctx);
  }

  setLogHandler(fn: ((level: number, msg: string) => void) | null): void {
    check('setLogHandler(fn: ((level: number, msg: string) => void) | null)', fn === null || typeof fn === 'function');
    this.addon.setLogHandler(fn);
  }

  bumpMemlock(): void {
    this.addon.bumpMemlock();
  }
}

/** A BpfNative over the addon found by `loadNativeBinding(options)`, loaded on first use. */
export function createBpfNative(options: LoadOptions = {}): BpfNative {
  return new BpfNativeImpl(options);
}

/** The default instance (addon from build/Release or build/Debug). */
export const bpfNative: BpfNative = createBpfNative();
