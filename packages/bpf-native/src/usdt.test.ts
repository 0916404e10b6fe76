import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';

import { bpfFixture, programFixture, u32 } from '../test/bpf-fixtures';
import type { BpfObject } from './api';
import { BpfError, bpfNative } from './index';

// Resolves once the child printed `count` more lines equal to `word`.
function lines(child: ChildProcessWithoutNullStreams, word: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      seen += parts.filter((l) => l === word).length;
      if (seen >= count) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', () => reject(new Error(`${word} x${count} not seen before exit`)));
  });
}

describe('USDT', () => {
  let obj: BpfObject;
  let child: ChildProcessWithoutNullStreams;

  beforeEach(async () => {
    obj = bpfNative.openObject(bpfFixture('usdt'));
    await obj.load();
    child = spawn(programFixture('usdt_target'), []);
    await lines(child, 'ready', 1);
  });
  afterEach(() => {
    child.kill();
    obj.close();
  });

  it('attaches to a probe of another process, with a cookie', async () => {
    const link = obj
      .program('on_tick')
      .attachUsdt(programFixture('usdt_target'), 'retis_test', 'tick', { pid: child.pid, cookie: 0xabcn });
    const ticks = lines(child, 'tick', 3);
    child.stdin.write('a\nb\nc\n');
    await ticks;
    const fired = obj.map('fired').fd;
    expect(bpfNative.map.lookup(fired, u32(0), 8)?.readBigUInt64LE()).toBe(3n);
    expect(bpfNative.map.lookup(fired, u32(1), 8)?.readBigUInt64LE()).toBe(0xabcn);
    link.close();
  });

  it('closes its USDT links with the object', () => {
    const link = obj.program('on_tick').attachUsdt(programFixture('usdt_target'), 'retis_test', 'tick', { pid: child.pid });
    obj.close();
    expect(() => link.fd).toThrow(expect.objectContaining({ code: 'EBADF' }));
    link.close();
  });

  it('names the probe it could not find', () => {
    expect(() => obj.program('on_tick').attachUsdt(programFixture('usdt_target'), 'retis_test', 'nope')).toThrow(BpfError);
    expect(() => obj.program('on_tick').attachUsdt(programFixture('usdt_target'), 'retis_test', 'nope')).toThrow(
      /USDT '.*usdt_target:retis_test:nope'/,
    );
  });
});
