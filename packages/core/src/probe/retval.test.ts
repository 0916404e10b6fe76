import { retvalDecoder } from './retval';

const decode = (type: Parameters<typeof retvalDecoder>[0], raw: bigint) => retvalDecoder(type)?.(raw);

describe('retvalDecoder', () => {
  it('sign-extends signed integers from their size', () => {
    // -EINVAL in eax; the upper half of rax is undefined by the ABI.
    expect(decode({ kind: 'int', size: 4, signed: true, name: 'int' }, 0xdeadbeefffffffean)).toBe(-22n);
    expect(decode({ kind: 'int', size: 8, signed: true, name: 'long' }, 0xffffffffffffffffn)).toBe(-1n);
  });

  it('keeps unsigned integers and pointers unsigned', () => {
    expect(decode({ kind: 'int', size: 4, signed: false, name: 'u32' }, 0x1ffffffffn)).toBe(0xffffffffn);
    expect(decode({ kind: 'pointer', size: 8, signed: false, name: 'struct sk_buff *' }, 0xffff888100835100n)).toBe(0xffff888100835100n);
    expect(decode({ kind: 'enum', size: 4, signed: false, name: 'enum x' }, 0x100000002n)).toBe(2n);
  });

  it('reads bool from its low byte', () => {
    expect(decode({ kind: 'bool', size: 1, signed: false, name: 'bool' }, 0xff00n)).toBe(0n);
    expect(decode({ kind: 'bool', size: 1, signed: false, name: 'bool' }, 0x1n)).toBe(1n);
  });

  it('reports nothing for void and aggregates', () => {
    expect(retvalDecoder({ kind: 'void', size: 0, signed: false, name: 'void' })).toBeUndefined();
    expect(retvalDecoder({ kind: 'other', size: 16, signed: false, name: 'struct x' })).toBeUndefined();
    expect(retvalDecoder(undefined)).toBeUndefined();
  });
});
