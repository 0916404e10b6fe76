/**
 * First pass over argv, as the reference does it: global options must come
 * before the subcommand, and an unambiguous prefix names a subcommand
 * (`retis col` is `retis collect`). What is left goes to clipanion.
 */
import { LOG_LEVELS, type LogLevel } from '@retis/core';
import { RetisError } from '@retis/core';

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
  out.rest = attachOptionalValues(rest);
  return out;
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
