/** `retis stats`: counts per probe and time span of an events file. */
import { Command, Option } from 'clipanion';
import { RetisCommand } from './base';

export class StatsCommand extends RetisCommand {
  static override paths = [['stats']];
  static override usage = Command.Usage({
    description: 'Show statistics about stored events',
    details: 'Reads INPUT (default: retis.data, or retis.data.0 when the output was split) and prints the number of events, their time span and the events per probe.',
  });

  input = Option.String({ required: false, name: 'INPUT' });

  protected async run(): Promise<number> {
    await this.context.runtime.stats(this.input, this.context.stdout);
    return 0;
  }
}
