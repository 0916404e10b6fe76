/** `retis pcap`: the packets of stored events as pcap-ng (reference §9). */
import { Command, Option } from 'clipanion';
import { RetisCommand } from './base';

export class PcapCommand extends RetisCommand {
  static override paths = [['pcap']];
  static override usage = Command.Usage({
    description: 'Generate a PCAP file from stored events',
    details: `
      Reads INPUT (default: retis.data, or retis.data.0 when the output was split) and writes the packets of
      its events as pcap-ng, to stdout or to FILE with \`-o\`. Each probe is a fake interface named
      \`{probe_type}/{symbol}\`; each packet carries its event's text as a comment and its JSON as a custom
      option. \`-p\` keeps the events of one probe, written as for collect (\`tp:net:netif_receive_skb\`).
    `,
    examples: [
      ['Packets seen at netif_receive_skb, in tcpdump', 'retis pcap -p tp:net:netif_receive_skb | tcpdump -nnr -'],
      ['Every packet, to a file', 'retis pcap -o retis.pcapng'],
    ],
  });

  input = Option.String({ required: false, name: 'INPUT' });
  out = Option.String('-o,--out', { description: 'Write the generated PCAP output to a file rather than stdout' });
  probe = Option.String('-p,--probe', { description: 'Filter events from this probe ([TYPE:]TARGET, as for collect)' });

  protected async run(): Promise<number> {
    await this.context.runtime.pcap(this.input, { out: this.out, probe: this.probe }, this.context.stdout);
    return 0;
  }
}
