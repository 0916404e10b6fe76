import { bpfFixture } from '../test/bpf-fixtures';
import { BpfError, bpfNative } from './index';

function nextTurns(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

describe('setLogHandler', () => {
  const lines: Array<[number, string]> = [];
  beforeEach(() => {
    lines.length = 0;
    bpfNative.setLogHandler((level, msg) => lines.push([level, msg]));
  });
  afterEach(() => bpfNative.setLogHandler(null));

  it("forwards libbpf's lines of a successful load, one per call", async () => {
    const obj = bpfNative.openObject(bpfFixture('maps'));
    await obj.load();
    obj.close();
    await nextTurns();
    expect(lines.some(([level, msg]) => level === 2 && /^libbpf: loading object from .*maps\.bpf\.o$/.test(msg))).toBe(true);
    expect(lines.every(([, msg]) => !msg.includes('\n'))).toBe(true);
  });

  it('keeps the warnings of a failed load in the error instead', async () => {
    const obj = bpfNative.openObject(bpfFixture('verifier_reject'));
    const error = (await obj.load().catch((e: unknown) => e)) as BpfError;
    obj.close();
    await nextTurns();
    expect(error.libbpfLog).toContain('BEGIN PROG LOAD LOG');
    expect(lines.filter(([level]) => level < 2)).toEqual([]);
    expect(lines.some(([level]) => level === 2)).toBe(true);
  });

  it('stops forwarding once the handler is removed', async () => {
    bpfNative.setLogHandler(null);
    const obj = bpfNative.openObject(bpfFixture('maps'));
    await obj.load();
    obj.close();
    await nextTurns();
    expect(lines).toEqual([]);
  });

  it('checks its argument', () => {
    expect(() => bpfNative.setLogHandler('log' as unknown as null)).toThrow(TypeError);
  });
});
