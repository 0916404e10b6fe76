import { bpfFixture, pokeKill, SYSCALL_KILL, u32, u64 } from '../test/bpf-fixtures';
import { symbolFileOffset } from '../test/elf-symbol';
import type { BpfObject, Link } from './api';
import { BpfError, bpfNative } from './index';

// Slots of the `hits` array in counter.bpf.c.
const SLOT_TP_BTF = 0;
const SLOT_TRACEPOINT = 1;
const SLOT_UPROBE = 2;

describe('attach', () => {
  let obj: BpfObject;
  const links: Link[] = [];

  beforeAll(async () => {
    obj = bpfNative.openObject(bpfFixture('counter'));
    obj.setGlobal('target_tgid', u32(process.pid));
    obj.setGlobal('target_syscall', u64(SYSCALL_KILL));
    obj.program('read_globals').setAutoload(false);
    await obj.load();
  });
  afterEach(() => links.splice(0).forEach((l) => l.close()));
  afterAll(() => obj.close());

  const attach = (link: Link): Link => {
    links.push(link);
    return link;
  };
  const byCookie = (cookie: bigint): number =>
    Number(bpfNative.map.lookup(obj.map('hits_by_cookie').fd, u64(cookie), 8)?.readBigUInt64LE() ?? 0n);
  const slot = (index: number): number => Number(bpfNative.map.lookup(obj.map('hits').fd, u32(index), 8)!.readBigUInt64LE());

  it('attaches a raw tracepoint without and with a cookie', () => {
    const prog = obj.program('count_raw_tp');
    const plain = attach(prog.attachRawTracepoint('sys_enter'));
    const withCookie = attach(prog.attachRawTracepoint('sys_enter', 0xc00c1e5n));
    expect(plain.fd).toBeGreaterThan(0);
    expect(withCookie.fd).toBeGreaterThan(0);
    pokeKill(5);
    expect(byCookie(0n)).toBe(5);
    expect(byCookie(0xc00c1e5n)).toBe(5);

    // A closed link no longer fires; closing again is harmless.
    withCookie.close();
    withCookie.close();
    pokeKill(3);
    expect(byCookie(0n)).toBe(8);
    expect(byCookie(0xc00c1e5n)).toBe(5);
    expect(() => withCookie.fd).toThrow(BpfError);
  });

  it('attaches a BTF tracepoint', () => {
    const before = slot(SLOT_TP_BTF);
    attach(obj.program('count_tp_btf').attachTpBtf());
    pokeKill(4);
    expect(slot(SLOT_TP_BTF) - before).toBe(4);
  });

  it('attaches a tracepoint, with or without a mounted tracefs', () => {
    const before = slot(SLOT_TRACEPOINT);
    attach(obj.program('count_tracepoint').attachTracepoint('syscalls', 'sys_enter_kill'));
    pokeKill(3);
    expect(slot(SLOT_TRACEPOINT) - before).toBe(3);
  });

  it('says which tracepoint does not exist', () => {
    expect(() => obj.program('count_tracepoint').attachTracepoint('syscalls', 'sys_enter_nothing')).toThrow(
      expect.objectContaining({ code: 'ENOENT', message: expect.stringContaining("'syscalls:sys_enter_nothing'") }),
    );
  });

  it('attaches a uprobe to a function of this process', () => {
    // process.kill() goes through libuv's uv_kill.
    const offset = symbolFileOffset(process.execPath, 'uv_kill');
    const before = slot(SLOT_UPROBE);
    attach(obj.program('count_uprobe').attachUprobe(process.execPath, offset, { pid: process.pid }));
    pokeKill(2);
    expect(slot(SLOT_UPROBE) - before).toBe(2);
  });

  it('attaches kprobes where the kernel has them, and says EOPNOTSUPP where not', () => {
    // count_uprobe is a BPF_PROG_TYPE_KPROBE program: kprobes take it too.
    const prog = obj.program('count_uprobe');
    if (bpfNative.features().kprobe) {
      attach(prog.attachKprobe('schedule')).close();
      return;
    }
    let error: unknown;
    try {
      prog.attachKprobe('schedule');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ code: 'EOPNOTSUPP', op: 'bpf_program__attach_kprobe_opts' });
    expect((error as Error).message).toContain('no kprobe support');
    expect(() => prog.attachKprobe('schedule', { retprobe: true })).toThrow(/to kretprobe 'schedule'/);
    expect(() => prog.attachKprobeMulti(['schedule'])).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
  });

  it('names the raw tracepoint it could not attach to', () => {
    expect(() => obj.program('count_raw_tp').attachRawTracepoint('no_such_tp', 1n)).toThrow(
      expect.objectContaining({ op: 'BPF_RAW_TRACEPOINT_OPEN', message: expect.stringContaining("'no_such_tp'") }),
    );
  });

  it('validates attach arguments', () => {
    const prog = obj.program('count_raw_tp');
    expect(() => prog.attachRawTracepoint('sys_enter', -1n)).toThrow(TypeError);
    expect(() => prog.attachRawTracepoint('sys_enter', 1 as unknown as bigint)).toThrow(TypeError);
    expect(() => prog.attachUprobe('/bin/true', 1 as unknown as bigint)).toThrow(TypeError);
    expect(() => prog.attachKprobeMulti(['a', 'b'], { cookies: [1n] })).toThrow(/one cookie per function/);
  });
});
