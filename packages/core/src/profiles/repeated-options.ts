/**
 * "the argument '--x' cannot be used multiple times". Profile arguments are
 * appended to the user's, so the same option may come twice: list options
 * accumulate, but a single-value option or a flag given twice is an error,
 * as the reference's parser makes it. Clipanion keeps the last value
 * silently, so the check is done here, on any command.
 *
 * Which options a command has comes from its clipanion option descriptors
 * (`Command.isOption` marks them, and each describes itself to a builder);
 * whether one is a list comes from its parsed value being an array.
 */
import { Command } from 'clipanion';
import { RetisError, RetisErrorCode } from '../errors';

export interface CommandOptionShape {
  /** Field of the command instance holding the value. */
  key: string;
  names: string[];
  /** Values taken after the name (0 for flags and `=`-only options). */
  arity: number;
}

export interface CommandShape {
  options: CommandOptionShape[];
  /** Rest or proxy arguments: what follows is not the command's own options. */
  hasRest: boolean;
}

type OptionDescriptor = { definition: (builder: unknown, key: string) => void };

/** The options of a clipanion command class, read from its descriptors. */
export function commandShape(commandClass: new () => object): CommandShape {
  const shape: CommandShape = { options: [], hasRest: false };
  const instance = new commandClass() as Record<string, unknown>;
  for (const key of Object.keys(instance)) {
    const value = instance[key] as Partial<OptionDescriptor> & Record<symbol, unknown> | null;
    if (typeof value !== 'object' || value === null || !value[Command.isOption] || typeof value.definition !== 'function') continue;
    value.definition({
      addOption: (o: { names: string[]; arity?: number }) => shape.options.push({ key, names: o.names, arity: o.arity ?? 1 }),
      addPositional: () => undefined,
      addRest: () => { shape.hasRest = true; },
      addProxy: () => { shape.hasRest = true; },
    }, key);
  }
  return shape;
}

/**
 * The first option given more than once whose value is not a list, named by
 * its long name. `args` are the command's arguments (its path words are
 * ignored: they are not options).
 */
export function findRepeatedOption(args: readonly string[], shape: CommandShape, isList: (key: string) => boolean): string | undefined {
  if (shape.hasRest) return undefined;
  const byName = new Map<string, CommandOptionShape>();
  for (const o of shape.options) {
    for (const n of o.names) {
      byName.set(n, o);
      // Clipanion also takes `--no-x` for a flag `--x`.
      if (o.arity === 0 && n.startsWith('--')) byName.set(`--no-${n.slice(2)}`, o);
    }
  }
  const seen = new Map<CommandOptionShape, number>();
  const count = (o: CommandOptionShape | undefined): string | undefined => {
    if (!o) return undefined;
    const n = (seen.get(o) ?? 0) + 1;
    seen.set(o, n);
    return n > 1 && !isList(o.key) ? displayName(o) : undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (arg === '-' || !arg.startsWith('-')) continue;
    const eq = arg.indexOf('=');
    let found: string | undefined;
    if (eq > 0) {
      found = count(byName.get(arg.slice(0, eq)));
    } else if (byName.has(arg)) {
      const o = byName.get(arg)!;
      found = count(o);
      i += o.arity;
    } else if (/^-[a-zA-Z]{2,}$/.test(arg)) {
      // A batch of short flags: `-ab`.
      for (const c of arg.slice(1)) found ??= count(byName.get(`-${c}`));
    }
    if (found) return found;
  }
  return undefined;
}

/** Throws the reference's error when a single-value option of the parsed `command` was repeated in `args`. */
export function rejectRepeatedOptions(args: readonly string[], command: object): void {
  const values = command as Record<string, unknown>;
  const name = findRepeatedOption(args, commandShape(command.constructor as new () => object), (key) => Array.isArray(values[key]));
  if (name) throw new RetisError(`the argument '${name}' cannot be used multiple times`, RetisErrorCode.Usage);
}

function displayName(o: CommandOptionShape): string {
  return o.names.find((n) => n.startsWith('--')) ?? o.names[0];
}
