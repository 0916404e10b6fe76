/**
 * The collector contract. A collector package default-exports the branded
 * object returned by `defineCollector`; discovery accepts only objects with
 * the brand and a supported API version (a brand survives duplicated copies
 * of this package, `instanceof` does not).
 */
import type { SectionDefinition, SectionFactory } from '../events/section';
import type { KernelInspector } from '../kernel/inspector';
import type { Logger } from '../log';

/** A class the DI container can instantiate. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Constructor<T> = new (...args: any[]) => T;

export const COLLECTOR_BRAND = '@retis/Collector';
export const COLLECTOR_API_VERSION = 1;

export interface CollectorMeta {
  /** Name used with `-c`, e.g. `skb-drop`. */
  name: string;
  packageName: string;
  version: string;
  apiVersion: number;
}

/** A command-line option of a collector; its flag must start with `--<name>-`. */
export interface CollectorOptionSpec {
  /** e.g. `--skb-sections`. */
  flag: string;
  description: string;
  /** `list`: comma-separated and repeatable; `string`: one value; `boolean`: a flag. */
  kind: 'list' | 'string' | 'boolean';
  /** Shown in help; the value when the option is absent. */
  default?: string | boolean;
}

export interface CollectorDefinition {
  readonly $$type: typeof COLLECTOR_BRAND;
  readonly meta: CollectorMeta;
  /**
   * Owner id of the collector's raw sections. Bundled collectors keep the
   * reference's ids (4-11) so raw events match Retis; others get one >= 128
   * assigned at load.
   */
  readonly owner?: number;
  /** Kernel parameter types the collector can use (`struct sk_buff *`, ...). */
  readonly knownKernelTypes: readonly string[];
  /** Event keys it owns, for reading, writing and printing events. */
  readonly sections: readonly SectionDefinition[];
  readonly options?: readonly CollectorOptionSpec[];
  /** Instantiated through the DI container; use explicit @inject tokens. */
  readonly collector: Constructor<Collector>;
}

/** Thrown by `canRun` to say why a collector cannot run here. */
export class CollectorUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CollectorUnavailableError';
  }
}

export interface CollectContext {
  /** This collector's option values, keyed by flag (`--skb-sections`). */
  readonly options: Readonly<Record<string, string[] | string | boolean | undefined>>;
  readonly kernel: KernelInspector;
  readonly log: Logger;
}

/** What `init` may register; see docs/writing-a-collector.md. */
export interface CollectorRegistration {
  /** Raw section owner id of this collector. */
  readonly owner: number;
  /** A BPF object holding one hook (DEFINE_HOOK); it runs on every probe. */
  registerHook(objectPath: string): void;
  /** A probe the collector needs, in `-p` syntax (e.g. `tp:skb:kfree_skb`). */
  registerProbe(spec: string): void;
  /** A value to write into one of the collector's BPF maps once loaded. */
  setMapValue(map: string, key: Buffer, value: Buffer): void;
  /** The decoder of this collector's raw sections. */
  registerFactory(factory: SectionFactory): void;
}

/**
 * Lifecycle, after Retis: canRun -> init -> start -> stop. `stop` must be
 * idempotent and safe without `start`.
 */
export interface Collector {
  canRun?(ctx: CollectContext): void | Promise<void>;
  init(ctx: CollectContext, reg: CollectorRegistration): void | Promise<void>;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

export function defineCollector(def: Omit<CollectorDefinition, '$$type'>): CollectorDefinition {
  for (const opt of def.options ?? []) {
    if (!opt.flag.startsWith(`--${def.meta.name}-`)) {
      throw new Error(`collector "${def.meta.name}": option ${opt.flag} must start with --${def.meta.name}-`);
    }
  }
  return Object.freeze({ ...def, $$type: COLLECTOR_BRAND });
}

export function isCollectorDefinition(value: unknown): value is CollectorDefinition {
  return typeof value === 'object' && value !== null && (value as { $$type?: unknown }).$$type === COLLECTOR_BRAND;
}
