/**
 * The retis command line, embeddable: `main(argv, io)` returns the exit code
 * and touches only the streams it is given.
 */
import 'reflect-metadata';
import { Builtins, Cli } from 'clipanion';
import { errorMessage } from '@retis/core';
import { parseGlobalArgs } from './argv';
import type { RetisCommandContext } from './commands/base';
import { makeCollectCommand } from './commands/collect';
import { InspectCommand } from './commands/inspect';
import { PrintCommand } from './commands/print';
import { StatsCommand } from './commands/stats';
import { VersionCommand } from './commands/version';
import { Runtime, type RuntimeIo } from './runtime';
import { versionString } from './version';

export async function main(argv: string[], io: RuntimeIo): Promise<number> {
  let globals;
  try {
    globals = parseGlobalArgs(argv);
  } catch (e) {
    io.stderr.write(`Error: ${errorMessage(e)}\n`);
    return 2;
  }
  const runtime = new Runtime(globals, io, argv);
  const cli = new Cli<RetisCommandContext>({
    binaryLabel: 'retis',
    binaryName: 'retis',
    binaryVersion: versionString(),
    // Colours only on a terminal that can show them.
    enableColors: !!(io.stdout as { isTTY?: boolean }).isTTY && !!io.env.TERM && io.env.TERM !== 'dumb',
  });
  try {
    cli.register(makeCollectCommand(runtime.collectorDefinitions()));
  } catch (e) {
    io.stderr.write(`Error: ${errorMessage(e)}\n`);
    return 1;
  }
  cli.register(PrintCommand);
  cli.register(InspectCommand);
  cli.register(StatsCommand);
  cli.register(Builtins.HelpCommand);
  cli.register(VersionCommand);

  const context = {
    stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, env: io.env, colorDepth: 1, runtime,
  } as RetisCommandContext;
  let command;
  try {
    command = cli.process(globals.rest, context);
  } catch (e) {
    // Clipanion's parse errors are multi-line with the usage; keep the first line.
    const first = errorMessage(e).split('\n')[0];
    const word = globals.rest[0];
    if (first.startsWith('Command not found')) {
      io.stderr.write(word === undefined || word.startsWith('-')
        ? `Error: a command is required (see 'retis --help')\n`
        : `Error: unknown command '${word}' (see 'retis --help')\n`);
      return 2;
    }
    const sub = word && !word.startsWith('-') ? ` ${word}` : '';
    io.stderr.write(`Error: ${first} (see 'retis${sub} --help')\n`);
    return 2;
  }
  return cli.run(command, context);
}
