import type { DisplayFormat } from '../events/section';

/** Everything `collect` needs, already parsed and validated by the CLI. */
export interface CollectOptions {
  /** `-c`: `['auto']` by default; named collectors are mandatory. */
  collectors: string[];
  /** `-p` specs, in order. */
  probes: string[];
  /** False when a profile was applied: the default probes are then not added. */
  defaultProbes: boolean;
  /** `-f`: pcap-filter expression, run in the kernel. */
  filterPacket?: string;
  /** `-m`: metadata filter, run in the kernel. */
  filterMeta?: string;
  /** `-o`: events file; console output is then off unless `print`. */
  out?: string;
  print: boolean;
  /** `--cmd`: run with `sh -c` once probes are attached; its exit ends the collection. */
  cmd?: string;
  /** `--stop-after`: stop after this many events from BPF. */
  stopAfter?: number;
  /** `--stack`: stack traces on every probe. */
  stack: boolean;
  display: DisplayFormat;
  /** Per collector name, its option values keyed by flag. */
  collectorOptions: Record<string, Record<string, string[] | string | boolean | undefined>>;
  /** The command line recorded in the startup event. */
  cmdline: string;
}

/** The reference's default probes (§1.2 step 5). */
export const DEFAULT_PROBES = ['tp:net:netif_receive_skb', 'tp:net:net_dev_start_xmit'];

/** The reference's collector order (§1.2 step 2); others follow by name. */
export const COLLECTOR_ORDER = ['skb-tracking', 'skb', 'skb-drop', 'ovs', 'nft', 'ct', 'dev', 'ns'];
