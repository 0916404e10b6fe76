/**
 * `retis collect`: install probes, collect events, print them and/or write
 * them to a file. Options and messages follow the reference (§1.2).
 */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { RetisError, type CollectorDefinition, type CollectOptions } from '@retis/core';
import { RetisCommand } from './base';
import { displayOptions, formatValidator } from './display-options';

/** The static part of the command; collector options are added per run (see makeCollectCommand). */
export class CollectCommand extends RetisCommand {
  static override paths = [['collect']];
  static override usage = Command.Usage({
    description: 'Collect network events',
    details: `
      Installs eBPF probes in the networking stack and reports what they see. Events are printed on the
      console, or written to a file with \`-o\` (then printed too with \`--print\`). Stop with Ctrl-C,
      \`--cmd\` or \`--stop-after\`.

      Without \`-p\`, \`-c auto\` and no profile, the probes \`tp:net:netif_receive_skb\` and
      \`tp:net:net_dev_start_xmit\` are used.
    `,
    examples: [
      ['Trace drops of packets to port 443', 'retis collect -c skb,skb-drop -f "tcp port 443"'],
      ['Write events to a file while a command runs', 'retis collect -o --cmd "ping -c1 192.0.2.2"'],
    ],
  });

  collectors = Option.String('-c,--collectors', 'auto', {
    description: 'Comma-separated list of collectors to enable (auto = every collector whose requirements hold)',
  });
  probes = Option.Array('-p,--probe', [], {
    description: 'Add a probe: [TYPE:]TARGET[/OPT...], TYPE one of kprobe|k, kretprobe|kr, raw_tracepoint|tp, fentry, fexit',
  });
  filterPacket = Option.String('-f,--filter-packet', { description: 'pcap-filter(7) expression filtering packets in the kernel' });
  filterMeta = Option.String('-m,--filter-meta', { description: 'Metadata filter, e.g. sk_buff.dev.name == "eth0"' });
  out = Option.String('-o,--out', { tolerateBoolean: true, description: 'Write events to FILE (default: retis.data); console output is then off unless --print' });
  print = Option.Boolean('--print', false, { description: 'Print events to stdout even when writing them to a file' });
  stack = Option.Boolean('--stack', false, { description: 'Add a stack trace to every kernel probe' });
  cmd = Option.String('--cmd', { description: 'Run CMD with sh -c once probes are attached; stop when it exits' });
  stopAfter = Option.String('--stop-after', { validator: t.isNumber(), description: 'Stop after COUNT events from the kernel' });
  allowSystemChanges = Option.Boolean('--allow-system-changes', false, { description: 'Allow changes to the system (mount tracefs)' });
  kconf = Option.String('--kconf', { description: 'Path to the kernel configuration' });
  format = Option.String('--format', 'multi-line', { validator: formatValidator, description: 'Console format: multi-line or single-line' });
  utc = displayOptions.utc();
  linkLayer = displayOptions.linkLayer();

  /** Set by makeCollectCommand: the collectors whose options this class carries. */
  static collectorDefs: readonly CollectorDefinition[] = [];

  protected async run(): Promise<number> {
    const runtime = this.context.runtime;
    const stopAfter = this.stopAfter === undefined ? undefined : Number(this.stopAfter);
    if (stopAfter !== undefined && (!Number.isInteger(stopAfter) || stopAfter <= 0)) {
      throw new RetisError(`invalid value '${this.stopAfter}' for '--stop-after': expected a positive integer`);
    }
    const options: CollectOptions = {
      collectors: this.collectors.split(',').map((s) => s.trim()).filter(Boolean),
      probes: this.probes,
      defaultProbes: runtime.globals.profiles.length === 0,
      filterPacket: this.filterPacket,
      filterMeta: this.filterMeta,
      out: this.out === undefined ? undefined : this.out === true ? 'retis.data' : String(this.out),
      print: this.print,
      cmd: this.cmd,
      stopAfter,
      stack: this.stack,
      display: { multiLine: this.format === 'multi-line', utc: this.utc, linkLayer: this.linkLayer },
      collectorOptions: this.collectorOptionValues(),
      cmdline: runtime.cmdline,
    };
    if (options.collectors.length === 0) throw new RetisError("invalid value '' for '--collectors'");
    const summary = await runtime.collect(options, this.context.stdout);
    return summary.exitCode;
  }

  private collectorOptionValues(): CollectOptions['collectorOptions'] {
    const out: CollectOptions['collectorOptions'] = {};
    const self = this as unknown as Record<string, unknown>;
    for (const def of (this.constructor as typeof CollectCommand).collectorDefs) {
      const values: Record<string, string[] | string | boolean | undefined> = {};
      for (const opt of def.options ?? []) {
        const raw = self[fieldName(opt.flag)] as string[] | string | boolean | undefined;
        values[opt.flag] = opt.kind === 'list' && Array.isArray(raw)
          ? raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
          : raw;
      }
      out[def.meta.name] = values;
    }
    return out;
  }
}

function fieldName(flag: string): string {
  return `collectorOption:${flag}`;
}

/**
 * A CollectCommand class that also carries every collector's options.
 * Clipanion finds options by instantiating the class, so they are set in the
 * constructor, before registration.
 */
export function makeCollectCommand(defs: readonly CollectorDefinition[]): typeof CollectCommand {
  class CollectWithCollectors extends CollectCommand {
    static override collectorDefs = defs;
    constructor() {
      super();
      const self = this as unknown as Record<string, unknown>;
      for (const def of defs) {
        for (const opt of def.options ?? []) {
          const description = `${opt.description} [collector '${def.meta.name}']`;
          self[fieldName(opt.flag)] =
            opt.kind === 'boolean' ? Option.Boolean(opt.flag, opt.default === true, { description })
            : opt.kind === 'list' ? Option.Array(opt.flag, { description })
            : Option.String(opt.flag, { description });
        }
      }
    }
  }
  return CollectWithCollectors;
}
