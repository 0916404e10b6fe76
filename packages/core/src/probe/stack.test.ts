import { STACK_DEPTH } from '../bpf/abi';
import { Kallsyms } from '../kernel/kallsyms';
import type { Logger } from '../log';
import { stackResolver } from './stack';

const kallsyms = Kallsyms.parse('ffffffff81a01230 T ip_rcv\nffffffff81a00000 T __netif_receive_skb_core\n');

function stackMap(stacks: Record<number, bigint[]>) {
  const lookups: number[] = [];
  const lookup = (_fd: number, key: Buffer, size: number) => {
    expect(size).toBe(STACK_DEPTH * 8);
    const id = key.readUInt32LE(0);
    lookups.push(id);
    const frames = stacks[id];
    if (!frames) return null;
    const value = Buffer.alloc(size);
    frames.forEach((f, i) => value.writeBigUInt64LE(f, i * 8));
    return value;
  };
  return { map: { lookup }, lookups };
}

const log = { warn: jest.fn() } as unknown as Logger;

describe('stackResolver', () => {
  it('names each frame until the first empty one', () => {
    const { map } = stackMap({ 7: [0xffffffff81a01234n, 0xffffffff81a00042n, 0x10n] });
    const resolve = stackResolver({ map, fd: 5, log, kallsyms: () => kallsyms });
    expect(resolve(7)).toEqual(['ip_rcv+0x4', '__netif_receive_skb_core+0x42', '0x10']);
  });

  it('reads kallsyms only once a stack is asked for, and each stack once', () => {
    const { map, lookups } = stackMap({ 1: [0xffffffff81a01230n] });
    const load = jest.fn(() => kallsyms);
    const resolve = stackResolver({ map, fd: 5, log, kallsyms: load });
    expect(load).not.toHaveBeenCalled();
    expect(resolve(1)).toEqual(['ip_rcv+0x0']);
    expect(resolve(1)).toEqual(['ip_rcv+0x0']);
    expect(lookups).toEqual([1]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('gives nothing for an id the map does not hold', () => {
    const { map } = stackMap({});
    expect(stackResolver({ map, fd: 5, log, kallsyms: () => kallsyms })(3)).toBeUndefined();
  });
});
