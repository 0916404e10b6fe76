/**
 * Profiles → extra command-line arguments (reference §8.1, §8.3). The
 * arguments are appended after the user's own and the whole command line is
 * parsed again, so profiles and users combine exactly as repeated options
 * do: lists accumulate, a single-value option given twice is an error.
 */
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import { ConditionChecker, type KernelFacts } from './conditions';
import { DEFAULT_SECTION_NAME, PROFILE_SUBCOMMANDS, type Profile, type ProfileArgValue, type ProfileSubcommand } from './profile';
import { profileDirs, resolveProfileEntry, type ProfileDirsOptions } from './search';

export function supportsProfiles(subcommand: string): subcommand is ProfileSubcommand {
  return (PROFILE_SUBCOMMANDS as readonly string[]).includes(subcommand);
}

/**
 * The arguments one profile adds to `subcommand`: those of its first section
 * whose conditions hold, keys sorted, `key` written `--key` with `_` as `-`.
 */
export function profileArgs(profile: Profile, subcommand: string, checker: ConditionChecker, log: Logger): string[] {
  if (!supportsProfiles(subcommand)) {
    throw new RetisError(`Subcommand ${subcommand} does not support profile enhancement`, RetisErrorCode.Profile);
  }
  let section;
  try {
    section = checker.select(profile.sections[subcommand] ?? []);
  } catch (e) {
    if (e instanceof RetisError) throw e;
    throw new RetisError(`Could not check the conditions of profile ${profile.name}: ${errorMessage(e)}`, RetisErrorCode.Profile);
  }
  if (!section) {
    log.warn(`None of the ${subcommand} profiles defined in ${profile.name} were selected`);
    return [];
  }
  log.info(section.name === DEFAULT_SECTION_NAME ? `Applying profile ${profile.name}` : `Applying profile ${profile.name}: ${section.name}`);
  return argsOf(section.args);
}

/** `key: v` → `--key v`, `key: [a, b]` → `--key a --key b`, `key: ~` → `--key`; keys in sorted order. */
export function argsOf(args: ReadonlyMap<string, ProfileArgValue>): string[] {
  const out: string[] = [];
  // Plain code-unit order, as the reference's BTreeMap orders its keys.
  for (const key of [...args.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const flag = `--${key.replace(/_/g, '-')}`;
    const value = args.get(key)!;
    if (value.kind === 'single') out.push(flag, value.value);
    else if (value.kind === 'sequence') for (const v of value.values) out.push(flag, v);
    else out.push(flag);
  }
  return out;
}

export interface ExpandProfilesOptions extends ProfileDirsOptions {
  /** `-p` entries, applied left to right. */
  entries: readonly string[];
  subcommand: string;
  facts: KernelFacts;
  log: Logger;
}

/** The arguments every `-p` entry adds, in order. */
export function expandProfiles(opts: ExpandProfilesOptions): string[] {
  if (!supportsProfiles(opts.subcommand)) {
    throw new RetisError(`Subcommand ${opts.subcommand} does not support profile enhancement`, RetisErrorCode.Profile);
  }
  const dirs = profileDirs(opts);
  const checker = new ConditionChecker(opts.facts);
  const out: string[] = [];
  for (const entry of opts.entries) {
    const profile = resolveProfileEntry(entry, dirs, opts.log, opts.extraDir);
    out.push(...profileArgs(profile, opts.subcommand, checker, opts.log));
  }
  return out;
}
