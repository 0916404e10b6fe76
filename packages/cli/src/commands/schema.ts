/** `retis schema`: the JSON Schema of events (reference §1.3). */
import { Command } from 'clipanion';
import { RetisCommand } from './base';

export class SchemaCommand extends RetisCommand {
  static override paths = [['schema']];
  static override usage = Command.Usage({
    description: 'Print the JSON Schema of events',
    details: 'Prints the JSON Schema (draft 2020-12) of one event of an events file, including the sections of the installed collectors.',
  });

  protected async run(): Promise<number> {
    await this.context.runtime.schema(this.context.stdout);
    return 0;
  }
}
