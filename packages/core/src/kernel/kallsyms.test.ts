import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Kallsyms, kernelThreadSize } from './kallsyms';

const TEXT = [
  'ffffffff81000000 T _stext',
  'ffffffff81a01230 T ip_rcv',
  'ffffffff81a01000 t ip_rcv_core',
  'ffffffff83000000 D __start_init_stack',
  'ffffffff83004000 D __end_init_stack',
  'ffffffffc0a00100 t ovs_dp_upcall\t[openvswitch]',
  '0000000000000000 a $x',
  '',
].join('\n');

describe('Kallsyms', () => {
  const k = Kallsyms.parse(TEXT);

  it('names an address by the nearest symbol below it', () => {
    expect(k.symbolize(0xffffffff81a01230n)).toBe('ip_rcv+0x0');
    expect(k.symbolize(0xffffffff81a0125fn)).toBe('ip_rcv+0x2f');
    // Entries are sorted by address, whatever their order in the file.
    expect(k.symbolize(0xffffffff81a01010n)).toBe('ip_rcv_core+0x10');
    expect(k.symbolize(0xffffffffc0a00150n)).toBe('ovs_dp_upcall+0x50');
  });

  it('gives the raw address below every symbol', () => {
    expect(k.symbolize(0x1000n)).toBe('0x1000');
  });

  it('finds THREAD_SIZE from the initial stack bounds', () => {
    expect(k.threadSize()).toBe(16384);
    expect(k.address('ip_rcv')).toBe(0xffffffff81a01230n);
    expect(k.hasAddresses).toBe(true);
  });

  it('notices addresses hidden by kptr_restrict', () => {
    expect(Kallsyms.parse('0000000000000000 T ip_rcv\n0000000000000000 T ip_rcv_core\n').hasAddresses).toBe(false);
  });

  it('reads THREAD_SIZE from a file without a full parse', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-kallsyms-'));
    try {
      fs.writeFileSync(path.join(dir, 'k'), TEXT.replace('83004000 D __end_init_stack', '83008000 D __end_init_stack'));
      expect(kernelThreadSize(path.join(dir, 'k'))).toBe(32768);
      fs.writeFileSync(path.join(dir, 'partial'), 'ffffffff83000000 D __start_init_stack\n');
      expect(kernelThreadSize(path.join(dir, 'partial'))).toBeUndefined();
      expect(kernelThreadSize(path.join(dir, 'missing'))).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
