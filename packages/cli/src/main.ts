/**
 * The retis command line, embeddable: `main(argv, io)` returns the exit code
 * and touches only the streams it is given.
 */
import 'reflect-metadata';
import type { Writable } from 'stream';
import { Builtins, Cli } from 'clipanion';
import { ConsoleLogger, errorMessage, rejectRepeatedOptions } from '@retis/core';
import { applyProfiles, parseGlobalArgs } from './argv';
import { RetisCommand, type RetisCommandContext } from './commands/base';
import { makeCollectCommand } from './commands/collect';
import { InspectCommand } from './commands/inspect';
import { PcapCommand } from './commands/pcap';
import { PrintCommand } from './commands/print';
import { SchemaCommand } from './commands/schema';
import { SortCommand } from './commands/sort';
import { ProfileListCommand } from './commands/profile';
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
  try {
    ({ argv, globals } = applyProfiles(argv, globals, {
      env: io.env, log: new ConsoleLogger(globals.logLevel, io.stderr as Writable & { isTTY?: boolean }),
    }));
  } catch (e) {
    io.stderr.write(`Error: ${errorMessage(e)}\n`);
    return 1;
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
  cli.register(SortCommand);
  cli.register(PcapCommand);
  cli.register(InspectCommand);
  cli.register(SchemaCommand);
  cli.register(StatsCommand);
  cli.register(ProfileListCommand);
  cli.register(Builtins.HelpCommand);
  cli.register(VersionCommand);

  const context = {
    stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, env: io.env, colorDepth: 1, runtime,
  } as RetisCommandContext;
  let command;
  try {
    command = cli.process(globals.rest, context);
    // Clipanion keeps the last of repeated values: the reference refuses them.
    if (command instanceof RetisCommand) rejectRepeatedOptions(globals.rest, command);
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
