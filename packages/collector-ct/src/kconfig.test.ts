import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { gzipSync } from 'zlib';
import { kernelConfigPaths, parseKernelConfig, readKernelConfig } from './kconfig';

const FEDORA = resolve(__dirname, '../../../test/fixtures/retis-1.7/config-6.3.0-0.rc7.56.fc39.x86_64');

describe('kernel config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'retis-kconfig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the options that are set', () => {
    const config = parseKernelConfig('# comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="text"\nCONFIG_D=m\n');
    expect([...config]).toEqual([['CONFIG_A', 'y'], ['CONFIG_C', '"text"'], ['CONFIG_D', 'm']]);
  });

  it('looks where the reference looks, for the running release', () => {
    expect(kernelConfigPaths('6.1.0-9-amd64')).toEqual([
      '/proc/config.gz',
      '/boot/config-6.1.0-9-amd64',
      '/lib/modules/6.1.0-9-amd64/config',
      '/run/host/usr/lib/modules/6.1.0-9-amd64/config',
    ]);
  });

  it('reads the first readable file, inflating gzip by its magic bytes', () => {
    const gz = join(dir, 'config.gz');
    writeFileSync(gz, gzipSync('CONFIG_NF_CONNTRACK=y\n'));
    const found = readKernelConfig([join(dir, 'missing'), gz, FEDORA]);
    expect(found?.path).toBe(gz);
    expect(found?.config.get('CONFIG_NF_CONNTRACK')).toBe('y');

    const fedora = readKernelConfig([join(dir, 'missing'), FEDORA]);
    expect(fedora?.config.get('CONFIG_NF_CONNTRACK')).toBe('m');
    expect(fedora?.config.get('CONFIG_NF_CONNTRACK_MARK')).toBe('y');
    expect(fedora?.config.has('CONFIG_KPROBES')).toBe(true);
  });

  it('skips a corrupt gzip file and reports nothing when no file is readable', () => {
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0, 1, 2, 3]));
    expect(readKernelConfig([bad, join(dir, 'missing')])).toBeUndefined();
  });
});
