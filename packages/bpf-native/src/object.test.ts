import { readFileSync } from 'fs';

import { bpfFixture, rawTpArgs, u32, u64 } from '../test/bpf-fixtures';
import type { BpfObject } from './api';
import { BpfError, bpfNative } from './index';

// /proc/self/fdinfo of a BPF program fd names its type.
function progType(fd: number): number {
  const match = /prog_type:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!match) throw new Error(`fd ${fd} is not a BPF program`);
  return Number(match[1]);
}

const BPF_PROG_TYPE_KPROBE = 2;
const BPF_PROG_TYPE_RAW_TRACEPOINT = 17;
const BPF_MAP_TYPE_HASH = 1;
const BPF_MAP_TYPE_ARRAY = 2;

describe('BpfObject', () => {
  const opened: BpfObject[] = [];
  const open = (name: string, source: 'path' | 'buffer' = 'path', objectName?: string): BpfObject => {
    const path = bpfFixture(name);
    const obj = bpfNative.openObject(source === 'path' ? path : readFileSync(path), objectName);
    opened.push(obj);
    return obj;
  };
  afterEach(() => opened.splice(0).forEach((o) => o.close()));

  it('opens from a path or a buffer and lists programs and maps', () => {
    for (const source of ['path', 'buffer'] as const) {
      const obj = open('maps', source, 'maps_obj');
      expect(obj.name).toBe('maps_obj');
      expect(obj.programs().map((p) => [p.name, p.sectionName])).toEqual([['store_arg', 'raw_tracepoint/sys_enter']]);
      const table = obj.map('table');
      expect([table.type, table.keySize, table.valueSize, table.maxEntries]).toEqual([BPF_MAP_TYPE_HASH, 4, 8, 64]);
      const shared = obj.map('shared');
      expect([shared.type, shared.maxEntries]).toEqual([BPF_MAP_TYPE_ARRAY, 4]);
      expect(obj.maps().map((m) => m.name).sort()).toEqual(['shared', 'table']);
    }
  });

  it('names the object after the file by default', () => {
    expect(open('maps').name).toBe('maps');
  });

  it('loads, gives fds, runs, and closes idempotently', async () => {
    const obj = open('maps');
    const prog = obj.program('store_arg');
    expect(() => prog.fd).toThrow(/not loaded/);
    await obj.load();
    expect(progType(prog.fd)).toBe(BPF_PROG_TYPE_RAW_TRACEPOINT);
    expect(bpfNative.testRun(prog.fd, Buffer.alloc(0), rawTpArgs(2, 42)).retval).toBe(0);
    expect(bpfNative.map.lookup(obj.map('shared').fd, u32(2), 8)?.readBigUInt64LE()).toBe(42n);
    obj.close();
    obj.close();
    expect(() => obj.programs()).toThrow(BpfError);
    expect(() => prog.fd).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('refuses edits after load and a second load', async () => {
    const obj = open('maps');
    await obj.load();
    expect(() => obj.map('table').setMaxEntries(8)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    await expect(obj.load()).rejects.toMatchObject({ code: 'EBUSY' });
  });

  it('throws ENOENT BpfErrors for missing programs, maps and files', () => {
    const obj = open('maps');
    expect(() => obj.program('nope')).toThrow(expect.objectContaining({ code: 'ENOENT', name: 'BpfError' }));
    expect(() => obj.map('nope')).toThrow(BpfError);
    let error: unknown;
    try {
      bpfNative.openObject('/nonexistent/x.bpf.o');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ code: 'ENOENT', errno: 2, op: 'bpf_object__open_file' });
    expect((error as Error).message).toContain("'/nonexistent/x.bpf.o'");
  });

  it('rejects a failed load with the verifier log', async () => {
    const obj = open('verifier_reject');
    const error = await obj.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ op: 'bpf_object__load', code: 'EACCES' });
    const log = (error as BpfError).libbpfLog ?? '';
    expect(log).toContain('BEGIN PROG LOAD LOG');
    expect(log).toMatch(/invalid mem access 'map_value_or_null'/);
    expect((error as Error).message).toContain("'verifier_reject'");
  });

  it('sets .rodata, .data and .bss globals before load', async () => {
    const run = async (values?: [number, number, number]): Promise<number> => {
      const obj = open('counter');
      if (values) {
        obj.setGlobal('rodata_value', u32(values[0]));
        obj.setGlobal('data_value', u32(values[1]));
        obj.setGlobal('bss_value', u32(values[2]));
      }
      for (const p of obj.programs()) p.setAutoload(p.name === 'read_globals');
      await obj.load();
      return bpfNative.testRun(obj.program('read_globals').fd, Buffer.alloc(0), rawTpArgs(0, 0)).retval;
    };
    // rodata * 10000 + data * 100 + bss, with the C initializers 7, 11, 0.
    expect(await run()).toBe(71100);
    expect(await run([3, 4, 5])).toBe(30405);
  });

  it('checks setGlobal names and sizes', async () => {
    const obj = open('counter');
    expect(() => obj.setGlobal('rodata_value', u64(1))).toThrow(/is 4 bytes, got 8/);
    expect(() => obj.setGlobal('no_such_global', u32(1))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => obj.setGlobal('rodata_value', 1 as unknown as Buffer)).toThrow(TypeError);
  });

  it('shares a map between two objects with reuseFd', async () => {
    const first = open('maps');
    await first.load();
    const second = open('maps');
    second.map('shared').reuseFd(first.map('shared').fd);
    await second.load();
    const third = open('maps');
    await third.load();

    bpfNative.testRun(second.program('store_arg').fd, Buffer.alloc(0), rawTpArgs(1, 1234));
    bpfNative.testRun(third.program('store_arg').fd, Buffer.alloc(0), rawTpArgs(1, 99));
    expect(bpfNative.map.lookup(first.map('shared').fd, u32(1), 8)?.readBigUInt64LE()).toBe(1234n);
    expect(bpfNative.map.lookup(third.map('shared').fd, u32(1), 8)?.readBigUInt64LE()).toBe(99n);
  });

  it('maps the retis/ sections to their program types', async () => {
    const obj = open('sections');
    const kinds = new Map(obj.programs().map((p) => [p.name, p.sectionName]));
    expect(kinds.get('in_kprobe_multi')).toBe('retis/kprobe.multi');
    for (const p of obj.programs()) p.setAutoload(['in_raw_tracepoint', 'in_kprobe', 'in_kretprobe', 'in_usdt'].includes(p.name));
    await obj.load();
    expect(progType(obj.program('in_raw_tracepoint').fd)).toBe(BPF_PROG_TYPE_RAW_TRACEPOINT);
    for (const name of ['in_kprobe', 'in_kretprobe', 'in_usdt']) {
      expect(progType(obj.program(name).fd)).toBe(BPF_PROG_TYPE_KPROBE);
    }
  });

  it('says a retis/fentry program needs its target before load', async () => {
    const obj = open('sections');
    for (const p of obj.programs()) p.setAutoload(p.name === 'in_fentry');
    const error = (await obj.load().catch((e: unknown) => e)) as BpfError;
    expect(error).toBeInstanceOf(BpfError);
    expect(error.libbpfLog).toContain("prog 'in_fentry': section 'retis/fentry' needs a target function");
  });

  it('closes an object asked to close while it loads, once the load is over', async () => {
    const obj = open('maps');
    const loading = obj.load();
    obj.close();
    await loading;
    expect(() => obj.programs()).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('validates arguments before calling native code', () => {
    const obj = open('maps');
    expect(() => bpfNative.openObject('')).toThrow(TypeError);
    expect(() => bpfNative.openObject(Buffer.alloc(0))).toThrow(/^Usage: openObject/);
    expect(() => obj.map('table').reuseFd(-1)).toThrow(TypeError);
    expect(() => obj.program('store_arg').setAutoload('yes' as unknown as boolean)).toThrow(TypeError);
  });
});
