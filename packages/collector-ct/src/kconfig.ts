/**
 * The running kernel's build configuration, found where the reference looks
 * for it (§1.2 `--kconf`): /proc/config.gz, /boot/config-<release>,
 * /lib/modules/<release>/config, /run/host/usr/lib/modules/<release>/config.
 * A file starting with the gzip magic bytes is inflated.
 */
import { readFileSync } from 'fs';
import { release } from 'os';
import { gunzipSync } from 'zlib';

/** Options that are set (`CONFIG_X=value`); `# CONFIG_X is not set` lines are absent. */
export type KernelConfig = ReadonlyMap<string, string>;

export function kernelConfigPaths(kernelRelease: string = release()): string[] {
  return [
    '/proc/config.gz',
    `/boot/config-${kernelRelease}`,
    `/lib/modules/${kernelRelease}/config`,
    `/run/host/usr/lib/modules/${kernelRelease}/config`,
  ];
}

export function parseKernelConfig(text: string): KernelConfig {
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) options.set(m[1], m[2]);
  }
  return options;
}

/** The first readable configuration among `paths`, or undefined when none is. */
export function readKernelConfig(paths: readonly string[] = kernelConfigPaths()): { path: string; config: KernelConfig } | undefined {
  for (const path of paths) {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      continue;
    }
    try {
      const text = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data).toString('utf8') : data.toString('utf8');
      return { path, config: parseKernelConfig(text) };
    } catch {
      // A corrupt file is as good as a missing one: try the next place.
    }
  }
  return undefined;
}
