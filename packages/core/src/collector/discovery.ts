/**
 * Finding collectors at start-up, without importing them: a collector is a
 * package whose package.json has `"retis": {"role": "collector", "name": ...}`.
 * Candidates are, in order, the host's bundled list, the host's other
 * dependencies, and RETIS_PLUGINS (`;`-separated package names or paths).
 * The module itself is required only when the collector is used.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import { COLLECTOR_API_VERSION, type CollectorDefinition, isCollectorDefinition } from './definition';

export interface DiscoveredCollector {
  name: string;
  packageName: string;
  /** Directory of the package (its BPF objects live under it). */
  dir: string;
  load(): CollectorDefinition;
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  retis?: { role?: string; name?: string; apiVersion?: number; bundled?: string[] };
}

export interface DiscoveryOptions {
  /** Directory of the host package (its package.json lists the candidates). */
  hostDir: string;
  /** Extra packages or paths (RETIS_PLUGINS). */
  extra?: string[];
}

export function discoverCollectors(opts: DiscoveryOptions): Map<string, DiscoveredCollector> {
  const host = readJson(path.join(opts.hostDir, 'package.json'));
  const candidates = new Set<string>([
    ...(host.retis?.bundled ?? []),
    ...Object.keys(host.dependencies ?? {}),
    ...(opts.extra ?? []),
  ]);
  const found = new Map<string, DiscoveredCollector>();
  for (const candidate of candidates) {
    const dir = packageDir(candidate, opts.hostDir);
    if (!dir) continue;
    const pkg = readJson(path.join(dir, 'package.json'));
    if (pkg.retis?.role !== 'collector') continue;
    const name = pkg.retis.name;
    if (!name) throw new RetisError(`package ${pkg.name ?? dir} declares a collector without a name`, RetisErrorCode.UnknownCollector);
    if (pkg.retis.apiVersion !== COLLECTOR_API_VERSION) {
      throw new RetisError(`collector "${name}" (${pkg.name}) needs API version ${pkg.retis.apiVersion}, this retis supports ${COLLECTOR_API_VERSION}`, RetisErrorCode.UnknownCollector);
    }
    const prior = found.get(name);
    if (prior) {
      throw new RetisError(`collector "${name}" is provided twice: by ${prior.packageName} and by ${pkg.name}`, RetisErrorCode.UnknownCollector);
    }
    const packageName = pkg.name ?? candidate;
    const entry = isPath(candidate) ? dir : packageName;
    let cached: CollectorDefinition | undefined;
    found.set(name, {
      name, packageName, dir,
      load() {
        if (cached) return cached;
        let mod: { default?: unknown };
        try {
          mod = require(isPath(candidate) ? entry : require.resolve(entry, { paths: [opts.hostDir] }));
        } catch (e) {
          throw new RetisError(`collector "${name}" (${packageName}) failed to load: ${errorMessage(e)}`, RetisErrorCode.UnknownCollector);
        }
        const def = mod.default;
        if (!isCollectorDefinition(def) || def.meta.name !== name) {
          throw new RetisError(`collector "${name}" (${packageName}) does not export a collector definition named "${name}"`, RetisErrorCode.UnknownCollector);
        }
        cached = def;
        return def;
      },
    });
  }
  return found;
}

function isPath(s: string): boolean {
  return s.startsWith('/') || s.startsWith('.');
}

function packageDir(candidate: string, hostDir: string): string | undefined {
  if (isPath(candidate)) return path.resolve(candidate);
  try {
    return path.dirname(require.resolve(`${candidate}/package.json`, { paths: [hostDir] }));
  } catch {
    // Not installed, or exports no ./package.json: not a collector we can use.
    return undefined;
  }
}

function readJson(file: string): PackageJson {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  } catch (e) {
    throw new RetisError(`cannot read ${file}: ${errorMessage(e)}`, RetisErrorCode.UnknownCollector);
  }
}
