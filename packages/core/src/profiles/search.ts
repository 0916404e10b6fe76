/**
 * Where profiles live and how a name is found (reference §8.2). Directories
 * are searched in order and the first one holding the name wins, so a
 * user's profile overrides a system one of the same name. Only `*.yaml` and
 * `*.yml` files are read; a file that does not parse is skipped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import { parseProfiles } from './parse';
import type { Profile } from './profile';

export interface ProfileDirsOptions {
  /** `-P DIR`, searched first. */
  extraDir?: string;
  /** For `$HOME/.config/retis/profiles/`. */
  env: Record<string, string | undefined>;
  /** The built-in profiles, searched last; `null` leaves them out. Default: builtinProfilesDir(). */
  builtinDir?: string | null;
}

export const SYSTEM_PROFILE_DIRS = ['/usr/share/retis/profiles/', '/etc/retis/profiles/'];

/**
 * The `profiles/` directory of this source tree, if this is one (the
 * reference reads `retis/profiles/` in its debug builds). It comes last so
 * that a profile of the same name in `$HOME` or `/etc` overrides it, as
 * they override built-ins installed in `/usr/share/retis/profiles/`.
 */
export function builtinProfilesDir(): string | undefined {
  // src/profiles or lib/profiles of packages/core, four levels below the root.
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const dir = path.join(root, 'profiles');
  // The workspace file tells a source tree from an unrelated `profiles` next to node_modules.
  return fs.existsSync(path.join(root, 'pnpm-workspace.yaml')) && isDirectory(dir) ? `${dir}/` : undefined;
}

/** Search order: `-P DIR`, `$HOME/.config/retis/profiles/`, /usr/share, /etc, built-ins. */
export function profileDirs(opts: ProfileDirsOptions): string[] {
  const dirs: string[] = [];
  if (opts.extraDir !== undefined) dirs.push(opts.extraDir);
  if (opts.env.HOME) dirs.push(path.join(opts.env.HOME, '.config/retis/profiles/'));
  dirs.push(...SYSTEM_PROFILE_DIRS);
  const builtin = opts.builtinDir === undefined ? builtinProfilesDir() : opts.builtinDir;
  if (builtin) dirs.push(builtin);
  return dirs;
}

export interface ProfileFile {
  file: string;
  profiles: Profile[];
}

/**
 * The profile files of a directory, sorted by name (the reference lists in
 * directory order, which is arbitrary). Invalid files are reported to
 * `onInvalid` and left out.
 */
export function readProfileDir(dir: string, log: Logger, onInvalid: (file: string, e: unknown) => void): ProfileFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (e) {
    throw new RetisError(`Could not read profile directory ${dir}: ${errorMessage(e)}`, RetisErrorCode.Profile);
  }
  const out: ProfileFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (!fs.statSync(file).isFile()) continue;
      out.push({ file, profiles: parseProfiles(fs.readFileSync(file, 'utf8'), { source: file, log }) });
    } catch (e) {
      onInvalid(file, e);
    }
  }
  return out;
}

/** The existing directories of a search list; a missing `-P DIR` is worth a warning. */
export function existingProfileDirs(dirs: readonly string[], log: Logger, extraDir?: string): string[] {
  return dirs.filter((dir) => {
    if (isDirectory(dir)) return true;
    if (dir === extraDir) log.warn(`Profile directory ${dir} does not exist`);
    return false;
  });
}

/** Finds a profile by name: the first directory holding it wins; two in one directory is an error. */
export function findProfile(name: string, dirs: readonly string[], log: Logger, extraDir?: string): Profile {
  for (const dir of existingProfileDirs(dirs, log, extraDir)) {
    const files = readProfileDir(dir, log, (file, e) => log.debug(`Skipping invalid file ${file}: ${errorMessage(e)}`));
    const found = files.flatMap((f) => f.profiles).filter((p) => p.name === name);
    if (found.length > 1) throw new RetisError(`Found two profiles with name '${name}' in ${dir}`, RetisErrorCode.Profile);
    if (found.length === 1) return found[0];
  }
  throw new RetisError(`Profile with name ${name} not found`, RetisErrorCode.Profile);
}

/** A `-p` entry: a readable file holding one profile, else a profile name. */
export function resolveProfileEntry(entry: string, dirs: readonly string[], log: Logger, extraDir?: string): Profile {
  let text: string | undefined;
  try {
    if (fs.statSync(entry).isFile()) text = fs.readFileSync(entry, 'utf8');
  } catch {
    // Not a readable file: a name.
  }
  if (text !== undefined) return parseProfiles(text, { source: entry, log, single: true })[0];
  return findProfile(entry, dirs, log, extraDir);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
