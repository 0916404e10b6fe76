/** `retis sort`: group stored events into series, one per packet (reference §4.3). */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { DEFAULT_MAX_BUFFER } from '@retis/core';
import { RetisCommand } from './base';
import { displayOptions } from './display-options';

export class SortCommand extends RetisCommand {
  static override paths = [['sort']];
  static override usage = Command.Usage({
    description: 'Sort stored events in series based on tracking id',
    details: `
      Reads INPUT (default: retis.data, or retis.data.0 when the output was split) and arranges its events
      by tracking id: each series holds the events of one packet, oldest first. Series are printed, or
      written to a file with \`-o\` (one JSON array per line), which \`print\` and \`pcap\` read.

      Events are held in a buffer of \`--max-buffer\` events; a packet whose events lie further apart in
      the file comes out as several series. 0 holds every event until the end of the file.
    `,
    examples: [
      ['Print the events of each packet together', 'retis sort'],
      ['Store the series of a file', 'retis sort -o sorted.data retis.data'],
    ],
  });

  input = Option.String({ required: false, name: 'INPUT' });
  maxBuffer = Option.String('--max-buffer', {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, Number.MAX_SAFE_INTEGER)]),
    description: `Events held while sorting (default ${DEFAULT_MAX_BUFFER}; 0: no limit)`,
  });
  out = Option.String('-o,--out', { description: 'Write event series to a file rather than to stdout' });
  print = Option.Boolean('--print', false, { description: 'Write events to stdout even if --out is used' });
  format = displayOptions.format();
  utc = displayOptions.utc();
  linkLayer = displayOptions.linkLayer();

  protected async run(): Promise<number> {
    await this.context.runtime.sort(this.input, {
      maxBuffer: this.maxBuffer ?? DEFAULT_MAX_BUFFER,
      out: this.out,
      print: this.out === undefined || this.print,
      display: { multiLine: this.format === 'multi-line', utc: this.utc, linkLayer: this.linkLayer },
    }, this.context.stdout);
    return 0;
  }
}
