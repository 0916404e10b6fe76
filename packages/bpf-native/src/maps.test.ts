import { bpfFixture, u32, u64 } from '../test/bpf-fixtures';
import type { BpfObject } from './api';
import { BpfError, bpfNative } from './index';

const BPF_NOEXIST = 1;
const BPF_EXIST = 2;

describe('map operations by fd', () => {
  let obj: BpfObject;
  let fd: number;

  beforeEach(async () => {
    obj = bpfNative.openObject(bpfFixture('maps'));
    await obj.load();
    fd = obj.map('table').fd;
  });
  afterEach(() => obj.close());

  it('updates, looks up, lists and deletes', () => {
    for (const k of [5, 1, 9]) bpfNative.map.update(fd, u32(k), u64(k * 100));
    expect(bpfNative.map.lookup(fd, u32(9), 8)?.readBigUInt64LE()).toBe(900n);
    expect(bpfNative.map.lookup(fd, u32(2), 8)).toBeNull();
    expect(bpfNative.map.keys(fd, 4).map((k) => k.readUInt32LE()).sort()).toEqual([1, 5, 9]);
    expect(bpfNative.map.delete(fd, u32(5))).toBe(true);
    expect(bpfNative.map.delete(fd, u32(5))).toBe(false);
    expect(bpfNative.map.keys(fd, 4).map((k) => k.readUInt32LE()).sort()).toEqual([1, 9]);
  });

  it('lists no keys in an empty map', () => {
    expect(bpfNative.map.keys(fd, 4)).toEqual([]);
  });

  it('honours update flags', () => {
    bpfNative.map.update(fd, u32(1), u64(1));
    expect(() => bpfNative.map.update(fd, u32(1), u64(2), BPF_NOEXIST)).toThrow(
      expect.objectContaining({ code: 'EEXIST', op: 'bpf_map_update_elem' }),
    );
    expect(() => bpfNative.map.update(fd, u32(2), u64(2), BPF_EXIST)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    bpfNative.map.update(fd, u32(1), u64(3), BPF_EXIST);
    expect(bpfNative.map.lookup(fd, u32(1), 8)?.readBigUInt64LE()).toBe(3n);
  });

  it('refuses buffers smaller than the map needs', () => {
    expect(() => bpfNative.map.lookup(fd, u32(1), 4)).toThrow(/valueSize is 4 bytes, the map needs 8/);
    expect(() => bpfNative.map.lookup(fd, Buffer.alloc(2), 8)).toThrow(/key is 2 bytes, the map needs 4/);
    expect(() => bpfNative.map.update(fd, u32(1), Buffer.alloc(4))).toThrow(BpfError);
    expect(() => bpfNative.map.keys(fd, 2)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('fails on an fd that is not a map', () => {
    expect(() => bpfNative.map.lookup(obj.program('store_arg').fd, u32(0), 8)).toThrow(BpfError);
    expect(() => bpfNative.map.keys(-1, 4)).toThrow(TypeError);
  });
});
