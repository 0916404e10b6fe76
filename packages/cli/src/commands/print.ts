/** `retis print`: print the events (or series) of an events file. */
import { Command, Option } from 'clipanion';
import { RetisCommand } from './base';
import { displayOptions } from './display-options';

export class PrintCommand extends RetisCommand {
  static override paths = [['print']];
  static override usage = Command.Usage({
    description: 'Print stored events to stdout',
    details: 'Reads INPUT (default: retis.data, or retis.data.0 when the output was split) and prints every event, or every series of a sorted file.',
  });

  input = Option.String({ required: false, name: 'INPUT' });
  format = displayOptions.format();
  utc = displayOptions.utc();
  linkLayer = displayOptions.linkLayer();

  protected async run(): Promise<number> {
    await this.context.runtime.print(this.input, {
      multiLine: this.format === 'multi-line', utc: this.utc, linkLayer: this.linkLayer,
    }, this.context.stdout);
    return 0;
  }
}
