/**
 * Services shared by the commands of one invocation, created lazily so that
 * a command pays only for what it uses (print never loads the BPF addon).
 */
import * as path from 'path';
import type { Readable, Writable } from 'stream';
import {
  ConsoleLogger, type Logger, type CollectorDefinition, type CollectOptions, type DisplayFormat,
  discoverCollectors, type DiscoveredCollector, type SectionRegistry, createCoreRegistry, Collection,
  type CollectSummary, printEventsFile, printStats, resolveInput, RetisError, RetisErrorCode, errorMessage,
  sortEventsFile, writePcapng, openPcapFile, eventJsonSchemaText,
} from '@retis/core';
import type { GlobalArgs } from './argv';

export interface RuntimeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
}

export class Runtime {
  readonly logger: Logger;
  private discovered?: Map<string, DiscoveredCollector>;
  private registry?: SectionRegistry;

  constructor(readonly globals: GlobalArgs, private readonly io: RuntimeIo, private readonly argv: string[]) {
    this.logger = new ConsoleLogger(globals.logLevel, io.stderr as Writable & { isTTY?: boolean });
  }

  /** The expanded command line, as recorded in the startup event. */
  get cmdline(): string {
    return ['retis', ...this.argv].join(' ');
  }

  collectors(): Map<string, DiscoveredCollector> {
    if (!this.discovered) {
      const extra = (this.io.env.RETIS_PLUGINS ?? '').split(';').filter(Boolean);
      this.discovered = discoverCollectors({ hostDir: path.resolve(__dirname, '..'), extra });
    }
    return this.discovered;
  }

  collectorDefinitions(): CollectorDefinition[] {
    return [...this.collectors().values()].map((c) => c.load());
  }

  sections(): SectionRegistry {
    if (!this.registry) {
      this.registry = createCoreRegistry();
      for (const def of this.collectorDefinitions()) this.registry.registerAll(def.sections, def.meta.packageName);
    }
    return this.registry;
  }

  async collect(options: CollectOptions, stdout: Writable): Promise<CollectSummary> {
    // The addon is loaded only here: post-processing commands work without it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = (require('@retis/bpf-native') as typeof import('@retis/bpf-native')).bpfNative;
    // SIGINT and SIGTERM end the collection cleanly (flush, detach, exit 0).
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const collection = new Collection({
        native,
        log: this.logger,
        sections: this.sections(),
        collectors: this.collectors(),
        stdout,
        signal: abort.signal,
      });
      return await collection.run(options);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  async print(input: string | undefined, display: DisplayFormat, stdout: Writable): Promise<void> {
    const file = this.input(input);
    await this.reading(file.path, () => printEventsFile(file.path, stdout, {
      registry: this.sections(), multiLine: display.multiLine, utc: display.utc, linkLayer: display.linkLayer,
      follow: file.follow, onWarning: (m) => this.logger.warn(m),
    }));
  }

  async stats(input: string | undefined, stdout: Writable): Promise<void> {
    const file = this.input(input);
    await this.reading(file.path, () => printStats(file.path, stdout, {
      registry: this.sections(), follow: file.follow, onWarning: (m) => this.logger.warn(m),
    }));
  }

  async sort(
    input: string | undefined,
    opts: { maxBuffer: number; out?: string; print: boolean; display: DisplayFormat },
    stdout: Writable,
  ): Promise<void> {
    const file = this.input(input);
    await this.reading(file.path, async () => {
      await sortEventsFile(file.path, {
        registry: this.sections(), maxBuffer: opts.maxBuffer, outPath: opts.out, print: opts.print ? stdout : undefined,
        multiLine: opts.display.multiLine, utc: opts.display.utc, linkLayer: opts.display.linkLayer,
        follow: file.follow, onWarning: (m) => this.logger.warn(m), onInfo: (m) => this.logger.info(m),
      });
    });
  }

  async pcap(input: string | undefined, opts: { out?: string; probe?: string }, stdout: Writable): Promise<void> {
    const file = this.input(input);
    const out = opts.out;
    await this.reading(file.path, async () => {
      await writePcapng(file.path, () => (out === undefined ? stdout : openPcapFile(out)), {
        registry: this.sections(), probe: opts.probe, follow: file.follow, endStream: out !== undefined,
        onWarning: (m) => this.logger.warn(m), onInfo: (m) => this.logger.info(m),
      });
    });
  }

  async schema(stdout: Writable): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      stdout.write(eventJsonSchemaText(this.sections()) + '\n', (e) => (e ? reject(e) : resolve()));
    });
  }

  private input(arg: string | undefined) {
    try {
      return resolveInput(arg);
    } catch (e) {
      throw new RetisError(errorMessage(e), RetisErrorCode.InputFile);
    }
  }

  /** Errors reading a file are the user's (a bad file), not bugs: one line. */
  private async reading(path: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      if (e instanceof RetisError) throw e;
      const err = e as Error;
      if (err?.name === 'EventsFileError' || (err as NodeJS.ErrnoException)?.code) {
        const msg = errorMessage(e);
        throw new RetisError(msg.includes(path) ? msg : `${path}: ${msg}`, RetisErrorCode.EventsFile);
      }
      throw e;
    }
  }
}
