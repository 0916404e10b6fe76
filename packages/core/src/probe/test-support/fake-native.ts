/**
 * A BpfNative that records what the probe manager asks of it, for tests of
 * the load and attach logic on any machine: objects know their programs and
 * maps by name (from PROBE_OBJECTS), loads succeed, attaches succeed unless
 * told to fail, and maps are in memory.
 */
import type {
  BpfNative, BpfObject, KernelFeatures, Link, MapOps, MapSpec, ProgramSpec,
} from '@retis/bpf-native';
import { MAPS, PROBE_OBJECTS } from '../../bpf/abi';

export interface AttachCall {
  object: string;
  program: string;
  kind: 'rawTracepoint' | 'kprobe' | 'kprobeMulti' | 'trace';
  target?: string | string[];
  retprobe?: boolean;
  cookies?: bigint[];
  closed: boolean;
}

export interface FakeObject {
  name: string;
  globals: Map<string, Buffer>;
  autoload: Map<string, boolean>;
  attachTarget?: string;
  loaded: boolean;
  closed: boolean;
}

export class FakeNative implements Partial<BpfNative> {
  readonly objects: FakeObject[] = [];
  readonly attaches: AttachCall[] = [];
  /** Map fd -> key (hex) -> value. */
  readonly maps = new Map<number, Map<string, Buffer>>();
  readonly mapFds = new Map<string, number>();
  /** Attach calls matching this fail with EINVAL. */
  failAttach?: (call: AttachCall) => boolean;
  private nextFd = 100;

  constructor(readonly featureSet: KernelFeatures) {}

  features(): KernelFeatures {
    return this.featureSet;
  }

  openObject(_path: string | Buffer, name = 'obj'): BpfObject {
    const obj: FakeObject = { name, globals: new Map(), autoload: new Map(), loaded: false, closed: false };
    this.objects.push(obj);
    const programNames = Object.values(PROBE_OBJECTS).flatMap((o) => Object.values(o.programs).map((p) => p.name));
    const mapSpec = (mapName: string): MapSpec => {
      const native = this;
      return {
        name: mapName, type: 0, keySize: 0, valueSize: 0, maxEntries: 0,
        reuseFd() {},
        setMaxEntries() {},
        get fd() {
          if (!native.mapFds.has(mapName)) {
            native.mapFds.set(mapName, native.nextFd);
            native.maps.set(native.nextFd++, new Map());
          }
          return native.mapFds.get(mapName)!;
        },
      };
    };
    const program = (progName: string): ProgramSpec => {
      const record = (call: Omit<AttachCall, 'object' | 'program' | 'closed'>): Link => {
        const full: AttachCall = { ...call, object: name, program: progName, closed: false };
        if (this.failAttach?.(full)) throw Object.assign(new Error('Invalid argument'), { code: 'EINVAL' });
        this.attaches.push(full);
        return { fd: 3, close: () => { full.closed = true; } };
      };
      return {
        name: progName,
        sectionName: '',
        setAutoload: (on) => { obj.autoload.set(progName, on); },
        insns: () => Buffer.alloc(0),
        setAttachTarget: (func) => { obj.attachTarget = func; },
        fd: 3,
        attachRawTracepoint: (tp, cookie) => record({ kind: 'rawTracepoint', target: tp, cookies: cookie === undefined ? undefined : [cookie] }),
        attachTracepoint: () => { throw new Error('not used'); },
        attachTpBtf: () => { throw new Error('not used'); },
        attachKprobe: (func, o) => record({ kind: 'kprobe', target: func, retprobe: o?.retprobe ?? false, cookies: o?.cookie === undefined ? undefined : [o.cookie] }),
        attachKprobeMulti: (funcs, o) => record({ kind: 'kprobeMulti', target: funcs, retprobe: o?.retprobe ?? false, cookies: o?.cookies }),
        attachUprobe: () => { throw new Error('not used'); },
        attachUsdt: () => { throw new Error('not used'); },
        attachTrace: () => record({ kind: 'trace', target: obj.attachTarget }),
      };
    };
    return {
      name,
      setGlobal: (g, v) => { obj.globals.set(g, v); },
      programs: () => programNames.map(program),
      program,
      maps: () => Object.values(MAPS).map(mapSpec),
      map: mapSpec,
      patchCalls: () => {},
      load: async () => { obj.loaded = true; },
      close: () => { obj.closed = true; },
    };
  }

  get map(): MapOps {
    const table = (fd: number) => {
      const t = this.maps.get(fd);
      if (!t) throw new Error(`no map with fd ${fd}`);
      return t;
    };
    return {
      lookup: (fd, key) => table(fd).get(key.toString('hex')) ?? null,
      update: (fd, key, value) => { table(fd).set(key.toString('hex'), Buffer.from(value)); },
      delete: (fd, key) => table(fd).delete(key.toString('hex')),
      keys: (fd) => [...table(fd).keys()].map((k) => Buffer.from(k, 'hex')),
    };
  }

  /** config_map values by probe id. */
  configs(): Map<bigint, Buffer> {
    const out = new Map<bigint, Buffer>();
    for (const [k, v] of this.maps.get(this.mapFds.get(MAPS.config)!) ?? []) out.set(BigInt(Buffer.from(k, 'hex').readUInt32LE()), v);
    return out;
  }
}
