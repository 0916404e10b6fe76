/**
 * First pass over argv, as the reference does it: global options must come
 * before the subcommand, and an unambiguous prefix names a subcommand
 * (`retis col` is `retis collect`). Profiles (`-p`) then append their
 * arguments to argv, and what is left goes to clipanion.
 */
import {
  LOG_LEVELS, type LogLevel, RetisError, expandProfiles, KernelInspector, type Logger, runningKernelFacts,
} from '@retis/core';

export interface GlobalArgs {
  logLevel: LogLevel;
  profiles: string[];
  extraProfilesDir?: string;
  /** The subcommand and its own arguments, prefix expanded. */
  rest: string[];
}

export const SUBCOMMANDS = ['collect', 'print', 'sort', 'pcap', 'inspect', 'profile', 'schema', 'stats'];

export function parseGlobalArgs(argv: readonly string[]): GlobalArgs {
  const out: GlobalArgs = { logLevel: 'info', profiles: [], rest: [] };
  let i = 0;
  const value = (flag: string, inline?: string): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new RetisError(`option ${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const inline = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : undefined;
    if (flag === '--log-level') {
      const level = value(flag, inline);
      if (!(LOG_LEVELS as string[]).includes(level)) {
        throw new RetisError(`invalid value '${level}' for '--log-level': expected one of ${LOG_LEVELS.join(', ')}`);
      }
      out.logLevel = level as LogLevel;
    } else if (flag === '-p' || flag === '--profile') {
      out.profiles.push(...value(flag, inline).split(',').filter(Boolean));
    } else if (flag === '-P' || flag === '--extra-profiles-dir') {
      out.extraProfilesDir = value(flag, inline);
    } else {
      break; // -h, -V and anything else are clipanion's.
    }
  }
  const rest = argv.slice(i);
  if (rest.length > 0 && !rest[0].startsWith('-')) {
    const matches = SUBCOMMANDS.filter((c) => c.startsWith(rest[0]));
    if (matches.length === 1) rest[0] = matches[0];
  }
  out.rest = mergeListValues(attachOptionalValues(rest));
  return out;
}

/**
 * argv with the arguments of the `-p` profiles appended (reference §1.1:
 * this expanded argv is also the startup event's `cmdline`), and its first
 * pass redone. Without profiles, or without a known subcommand to apply
 * them to (clipanion then reports what is wrong), argv is unchanged.
 */
export function applyProfiles(
  argv: readonly string[], globals: GlobalArgs, io: { env: Record<string, string | undefined>; log: Logger },
): { argv: string[]; globals: GlobalArgs } {
  const subcommand = globals.rest[0];
  if (globals.profiles.length === 0 || subcommand === undefined || !SUBCOMMANDS.includes(subcommand)) {
    return { argv: [...argv], globals };
  }
  const extra = expandProfiles({
    entries: globals.profiles,
    extraDir: globals.extraProfilesDir,
    env: io.env,
    subcommand,
    log: io.log,
    facts: runningKernelFacts({
      // The addon is loaded only if a profile has a symbol condition.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      inspector: () => new KernelInspector((require('@retis/bpf-native') as typeof import('@retis/bpf-native')).bpfNative, io.log),
    }),
  });
  const expanded = [...argv, ...extra];
  return { argv: expanded, globals: parseGlobalArgs(expanded) };
}

/**
 * Options whose value is optional (`collect -o [FILE]`). Clipanion only takes
 * such a value when attached (`--out=FILE`); `collect` has no positional
 * argument, so a following word that is not an option is the value.
 */
const OPTIONAL_VALUE: Record<string, string[]> = { collect: ['-o', '--out'] };

export function attachOptionalValues(rest: string[]): string[] {
  const flags = OPTIONAL_VALUE[rest[0]];
  if (!flags) return rest;
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const next = rest[i + 1];
    if (flags.includes(arg) && next !== undefined && !next.startsWith('-')) {
      out.push(`--out=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * List options the reference accumulates but whose clipanion option holds
 * one comma-separated string (`collect -c a -c b` is `-c a,b`): repeated
 * values are joined into one, where the first one was.
 * (Kept until `-c` is a list option of its own.)
 */
const COMMA_LISTS: Record<string, string[]> = { collect: ['-c', '--collectors'] };

export function mergeListValues(rest: string[]): string[] {
  const names = COMMA_LISTS[rest[0]];
  if (!names) return rest;
  const out: string[] = [];
  const values: string[] = [];
  let at = -1;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--') {
      out.push(...rest.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const bound = eq > 0 && names.includes(arg.slice(0, eq));
    if (bound || (names.includes(arg) && rest[i + 1] !== undefined && !rest[i + 1].startsWith('-'))) {
      values.push(bound ? arg.slice(eq + 1) : rest[++i]);
      if (at < 0) {
        at = out.length;
        out.push('');
      }
      continue;
    }
    out.push(arg);
  }
  if (values.length < 2) return rest;
  out[at] = `${names[names.length - 1]}=${values.join(',')}`;
  return out;
}
