/** `retis -V` / `--version`, as the reference spells it. */
import { Command } from 'clipanion';
import { versionString } from '../version';
import { RetisCommand } from './base';

export class VersionCommand extends RetisCommand {
  static override paths = [['-V'], ['--version']];
  static override usage = Command.Usage({ description: 'Print the version' });

  protected async run(): Promise<number> {
    this.context.stdout.write(`retis ${versionString()}\n`);
    return 0;
  }
}
