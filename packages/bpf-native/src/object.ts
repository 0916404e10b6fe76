import type { BpfObject, Link, MapSpec, ProgramSpec } from './api';
import { BpfError } from './errors';
import type { NativeMap, NativeObject, NativeProgram } from './native';
import { check, isFd, isNonEmptyString, isOptions, isU64, isUint, usage } from './validate';

const BPF_INSN_SIZE = 8;
const BPF_JMP = 0x05;
const BPF_JMP32 = 0x06;
const BPF_EXIT = 0x90;

/** The api.ts BpfObject over a NativeObject. */
export class BpfObjectHandle implements BpfObject {
  constructor(private readonly native: NativeObject) {}

  get name(): string {
    return this.native.name;
  }

  setGlobal(name: string, value: Buffer): void {
    check('setGlobal(name: string, value: Buffer)', isNonEmptyString(name), Buffer.isBuffer(value));
    this.native.setGlobal(name, value);
  }

  programs(): ProgramSpec[] {
    return this.native.programs().map((p) => new ProgramHandle(p));
  }

  program(name: string): ProgramSpec {
    check('program(name: string)', typeof name === 'string');
    const native = this.native.program(name);
    if (native === undefined) {
      throw BpfError.of('ENOENT', 'bpf_object__find_program_by_name', `no program '${name}' in BPF object '${this.name}'`);
    }
    return new ProgramHandle(native);
  }

  maps(): MapSpec[] {
    return this.native.maps().map((m) => new MapHandle(m));
  }

  map(name: string): MapSpec {
    check('map(name: string)', typeof name === 'string');
    const native = this.native.map(name);
    if (native === undefined) {
      throw BpfError.of('ENOENT', 'bpf_object__find_map_by_name', `no map '${name}' in BPF object '${this.name}'`);
    }
    return new MapHandle(native);
  }

  patchCalls(magic: number, insns: Buffer): void {
    const signature = 'patchCalls(magic: number (imm32), insns: Buffer (8 bytes per instruction, no exit))';
    check(
      signature,
      Number.isInteger(magic) && magic >= -0x80000000 && magic <= 0xffffffff,
      Buffer.isBuffer(insns) && insns.length > 0 && insns.length % BPF_INSN_SIZE === 0,
    );
    for (let off = 0; off < insns.length; off += BPF_INSN_SIZE) {
      const code = insns[off];
      const cls = code & 0x07;
      if ((cls === BPF_JMP || cls === BPF_JMP32) && (code & 0xf0) === BPF_EXIT) {
        throw usage(`${signature}: instruction ${off / BPF_INSN_SIZE} is an exit`);
      }
    }
    this.native.patchCalls(magic, insns);
  }

  load(): Promise<void> {
    try {
      return this.native.load();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): void {
    this.native.close();
  }
}

type AttachOpts = { retprobe?: boolean; pid?: number; cookie?: bigint; cookies?: bigint[] };

function checkOpts(signature: string, opts: unknown): AttachOpts {
  check(signature, isOptions(opts));
  const o = (opts ?? {}) as AttachOpts;
  check(
    signature,
    o.retprobe === undefined || typeof o.retprobe === 'boolean',
    o.pid === undefined || (Number.isInteger(o.pid) && o.pid >= -1),
    o.cookie === undefined || isU64(o.cookie),
    o.cookies === undefined || (Array.isArray(o.cookies) && o.cookies.every(isU64)),
  );
  return o;
}

/** The api.ts ProgramSpec over a NativeProgram. */
class ProgramHandle implements ProgramSpec {
  constructor(private readonly native: NativeProgram) {}

  get name(): string {
    return this.native.name;
  }

  get sectionName(): string {
    return this.native.sectionName;
  }

  get fd(): number {
    return this.native.fd;
  }

  setAutoload(on: boolean): void {
    check('setAutoload(on: boolean)', typeof on === 'boolean');
    this.native.setAutoload(on);
  }

  insns(): Buffer {
    return this.native.insns();
  }

  setAttachTarget(func: string): void {
    check('setAttachTarget(func: string)', isNonEmptyString(func));
    this.native.setAttachTarget(func);
  }

  attachRawTracepoint(name: string, cookie?: bigint): Link {
    check('attachRawTracepoint(name: string, cookie?: bigint)', isNonEmptyString(name), cookie === undefined || isU64(cookie));
    return this.native.attachRawTracepoint(name, cookie);
  }

  attachTracepoint(group: string, name: string): Link {
    check('attachTracepoint(group: string, name: string)', isNonEmptyString(group), isNonEmptyString(name));
    return this.native.attachTracepoint(group, name);
  }

  attachTpBtf(): Link {
    return this.native.attachTpBtf();
  }

  attachKprobe(func: string, opts?: { retprobe?: boolean; cookie?: bigint }): Link {
    const signature = 'attachKprobe(func: string, opts?: { retprobe?: boolean; cookie?: bigint })';
    check(signature, isNonEmptyString(func));
    return this.native.attachKprobe(func, checkOpts(signature, opts));
  }

  attachKprobeMulti(funcs: string[], opts?: { retprobe?: boolean; cookies?: bigint[] }): Link {
    const signature = 'attachKprobeMulti(funcs: string[], opts?: { retprobe?: boolean; cookies?: bigint[] })';
    check(signature, Array.isArray(funcs) && funcs.length > 0 && funcs.every(isNonEmptyString));
    const o = checkOpts(signature, opts);
    check(`${signature}: one cookie per function`, o.cookies === undefined || o.cookies.length === funcs.length);
    return this.native.attachKprobeMulti(funcs, o);
  }

  attachUprobe(path: string, offset: bigint, opts?: { retprobe?: boolean; pid?: number; cookie?: bigint }): Link {
    const signature = 'attachUprobe(path: string, offset: bigint, opts?: { retprobe?: boolean; pid?: number; cookie?: bigint })';
    check(signature, isNonEmptyString(path), isU64(offset));
    return this.native.attachUprobe(path, offset, checkOpts(signature, opts));
  }

  attachUsdt(path: string, provider: string, name: string, opts?: { pid?: number; cookie?: bigint }): Link {
    const signature = 'attachUsdt(path: string, provider: string, name: string, opts?: { pid?: number; cookie?: bigint })';
    check(signature, isNonEmptyString(path), isNonEmptyString(provider), isNonEmptyString(name));
    return this.native.attachUsdt(path, provider, name, checkOpts(signature, opts));
  }

  attachTrace(): Link {
    return this.native.attachTrace();
  }
}

/** The api.ts MapSpec over a NativeMap. */
class MapHandle implements MapSpec {
  constructor(private readonly native: NativeMap) {}

  get name(): string {
    return this.native.name;
  }
  get type(): number {
    return this.native.type;
  }
  get keySize(): number {
    return this.native.keySize;
  }
  get valueSize(): number {
    return this.native.valueSize;
  }
  get maxEntries(): number {
    return this.native.maxEntries;
  }
  get fd(): number {
    return this.native.fd;
  }

  reuseFd(fd: number): void {
    check('reuseFd(fd: number)', isFd(fd));
    this.native.reuseFd(fd);
  }

  setMaxEntries(n: number): void {
    check('setMaxEntries(n: number)', isUint(n) && n > 0);
    this.native.setMaxEntries(n);
  }
}
