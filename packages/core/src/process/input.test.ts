import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { resolveInput } from './input';

describe('resolveInput', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'retis-input-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to retis.data, then retis.data.0, both rotation-aware', () => {
    writeFileSync(join(dir, 'retis.data.0'), '');
    expect(resolveInput(undefined, dir)).toEqual({ path: join(dir, 'retis.data.0'), follow: true });
    writeFileSync(join(dir, 'retis.data'), '');
    expect(resolveInput(undefined, dir)).toEqual({ path: join(dir, 'retis.data'), follow: true });
  });

  it('reads FILE alone and FILE.. with the following split files', () => {
    writeFileSync(join(dir, 'out.2'), '');
    expect(resolveInput('out.2', dir)).toEqual({ path: join(dir, 'out.2'), follow: false });
    expect(resolveInput('out.2..', dir)).toEqual({ path: join(dir, 'out.2'), follow: true });
  });

  it('fails like the reference on a missing file or a directory', () => {
    expect(() => resolveInput(undefined, dir)).toThrow('retis.data: No such file or directory');
    expect(() => resolveInput('nope..', dir)).toThrow('nope: No such file or directory');
    mkdirSync(join(dir, 'sub'));
    expect(() => resolveInput('sub', dir)).toThrow('sub: No such file or directory');
  });
});
