/**
 * `retis inspect`: what this machine offers for probing (reference §1.3).
 * `-p [PATTERN]` lists the probes a collection could use; `--features`, an
 * addition to the reference, says which probe and attach kinds the kernel
 * accepts.
 */
import { Command, Option } from 'clipanion';
import type { KernelFeatures } from '@retis/bpf-native';
import { KernelInspector, RetisError } from '@retis/core';
import { RetisCommand } from './base';

/** Collectors whose types the reference leaves out of the listing (its choice, kept). */
const NOT_LISTED = new Set(['dev', 'ns']);

/** --features lines, in this order. */
const FEATURES: [keyof KernelFeatures, string][] = [
  ['rawTracepoint', 'raw_tracepoint'],
  ['rawTracepointCookie', 'raw_tracepoint_cookie'],
  ['tpBtf', 'tp_btf'],
  ['tracepoint', 'tracepoint'],
  ['kprobe', 'kprobe'],
  ['kprobeMulti', 'kprobe_multi'],
  ['kretprobe', 'kretprobe'],
  ['fentry', 'fentry'],
  ['fexit', 'fexit'],
  ['uprobe', 'uprobe'],
  ['ringbuf', 'ringbuf'],
];

export class InspectCommand extends RetisCommand {
  static override paths = [['inspect']];
  static override usage = Command.Usage({
    description: 'Inspect the current machine',
    details: `
      \`-p\` lists the probes matching PATTERN (every probe without one) that collectors can get data from, one
      per line: \`kprobe:<fn>\`, \`kretprobe:<fn>\`, \`tp:<group>:<event>\`. The pattern supports \`*\`
      wildcards; without TYPE it is tried as a kprobe and as a tracepoint. Listing functions needs tracefs.

      \`--features\` prints which probe and attach kinds the running kernel accepts.
    `,
    examples: [
      ['List the tracepoints of the net group', 'retis inspect -p "tp:net:*"'],
      ['Which probe kinds work here', 'retis inspect --features'],
    ],
  });

  probe = Option.String('-p,--probe', { tolerateBoolean: true, description: 'List probes matching [TYPE:]PATTERN (default: every probe)' });
  // Clipanion takes an optional value only when attached (`-p=PATTERN`):
  // `-p PATTERN` leaves the pattern here.
  pattern = Option.String({ required: false, name: 'PATTERN' });
  features = Option.Boolean('--features', false, { description: 'Print the probe and attach kinds this kernel accepts' });
  // Accepted as the reference does; listing reads BTF and tracefs, not the kernel configuration.
  kconf = Option.String('--kconf', { description: 'Path to the kernel configuration (default: auto-detect)' });

  protected async run(): Promise<number> {
    if (this.pattern !== undefined && this.probe !== true) {
      throw new RetisError(`unexpected argument '${this.pattern}' (a pattern goes with -p)`);
    }
    if (this.probe === undefined && !this.features) {
      // As the reference (arg_required_else_help): no argument prints the help.
      const usage = this.cli.usage(InspectCommand, { detailed: true });
      this.context.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
      return 0;
    }
    const runtime = this.context.runtime;
    // The addon is loaded only here, as for collect.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = (require('@retis/bpf-native') as typeof import('@retis/bpf-native')).bpfNative;
    const kernel = new KernelInspector(native, this.log);
    let out = '';
    if (this.features) {
      const f = kernel.features();
      for (const [key, name] of FEATURES) out += `${name}: ${f[key] ? 'yes' : 'no'}\n`;
    }
    if (this.probe !== undefined) {
      const pattern = this.probe === true ? (this.pattern ?? '*') : String(this.probe);
      const known = new Set(
        runtime.collectorDefinitions().filter((d) => !NOT_LISTED.has(d.meta.name)).flatMap((d) => d.knownKernelTypes),
      );
      for (const line of kernel.listCompatible(pattern, known)) out += `${line}\n`;
    }
    this.context.stdout.write(out);
    return 0;
  }
}
