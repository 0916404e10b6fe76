/**
 * One `collect` run (reference §1.2): checks, collectors, probes, load and
 * attach, the event loop, and a teardown that always runs — every event
 * already read is written, every probe detached, every BPF object closed.
 */
import 'reflect-metadata';
import { container as rootContainer } from 'tsyringe';
import type { BpfNative, RingBufferReader } from '@retis/bpf-native';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import { coreTokens } from '../di/tokens';
import { KernelInspector, type ResolvedProbe } from '../kernel/inspector';
import { kernelThreadSize } from '../kernel/kallsyms';
import { parseProbeSpec, probeKey } from '../probe/spec';
import { probeUsable } from '../probe/probe-config';
import { kindSupported, missingKindError, ProbeManager, type HookRequest, type MapValue } from '../probe/manager';
import { TrackingGc, trackingSetup } from '../probe/tracking';
import { MAPS } from '../bpf/abi';
import type { DiscoveredCollector } from '../collector/discovery';
import {
  CollectorUnavailableError, type Collector, type CollectContext, type CollectorDefinition,
} from '../collector/definition';
import type { SectionFactory } from '../events/section';
import type { SectionRegistry } from '../events/registry';
import { DEFAULT_PROBES, type CollectOptions } from './options';
import { selectCollectors } from './selection';
import { StopController } from './stop';
import { buildFilters } from './filters';
import { EventPipeline } from './pipeline';
import { createStartupSection, startupEvent, EVENTS_FORMAT_VERSION } from '../events/startup';
import { TOOL_VERSION } from '../version';

export interface CollectionDeps {
  native: BpfNative;
  log: Logger;
  sections: SectionRegistry;
  collectors: Map<string, DiscoveredCollector>;
  stdout: NodeJS.WritableStream;
  /** Aborting it stops the collection (the CLI wires SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

export interface CollectSummary {
  exitCode: number;
  events: number;
  lost: number;
}

interface ActiveCollector {
  def: CollectorDefinition;
  dir: string;
  instance: Collector;
  owner: number;
}

export class Collection {
  constructor(private readonly deps: CollectionDeps) {}

  async run(opts: CollectOptions): Promise<CollectSummary> {
    const { native, log } = this.deps;
    if (process.geteuid?.() !== 0) {
      throw new RetisError('retis collect must run as root (it loads BPF programs)', RetisErrorCode.NotRoot);
    }
    try {
      native.bumpMemlock();
    } catch (e) {
      // Kernels >= 5.11 account BPF memory to the cgroup, not to RLIMIT_MEMLOCK.
      log.debug(`RLIMIT_MEMLOCK left as is: ${errorMessage(e)}`);
    }
    const kernel = new KernelInspector(native, log);
    const scope = rootContainer.createChildContainer();
    scope.register(coreTokens.logger, { useValue: log });
    scope.register(coreTokens.bpfBackend, { useValue: native });
    scope.register(coreTokens.kernelInspector, { useValue: kernel });

    // Probe syntax is checked before anything else is done.
    for (const spec of opts.probes) parseProbeSpec(spec);
    // Filters too: a filter that does not compile is reported before any work.
    const filters = buildFilters(opts.filterPacket, opts.filterMeta, native, () => kernel.btf, log);
    // The output file is opened next: a bad path fails before anything is loaded.
    const pipeline = new EventPipeline({
      out: opts.out, print: opts.print, display: opts.display, stdout: this.deps.stdout,
      sections: this.deps.sections, log, stopAfter: opts.stopAfter,
    });
    const manager = new ProbeManager(native, log);
    const stop = new StopController();
    let gc: TrackingGc | undefined;
    let reader: RingBufferReader | undefined;
    const active: ActiveCollector[] = [];
    let lost = 0;
    try {
      pipeline.write(startupEvent(createStartupSection({
        cmdline: opts.cmdline,
        // Readers strip the `+...` part: files read as the Retis format we write.
        retisVersion: `${EVENTS_FORMAT_VERSION}+ts.${TOOL_VERSION}`,
      })));
      const reg = await this.initCollectors(opts, kernel, scope, active);
      const { probes, trackingKprobes } = this.resolveProbes(opts, kernel, active, reg.probes);
      await manager.load({
        probes, hooks: reg.hooks, mapValues: reg.mapValues, stackAll: opts.stack, trackingKprobes, filters,
        threadSize: probes.some((p) => p.kind === 'kretprobe') ? this.threadSize() : undefined,
      });
      log.info(`${manager.probeCount} probe(s) loaded`);

      pipeline.setFactories(reg.factories, manager.symbolResolver(), manager.stackResolver());
      pipeline.onStopCount = (n) => stop.stop(`Reached stop count (${n}), terminating...`);
      reader = native.ringBuffer(manager.eventsMapFd, (data, offsets, lengths) => {
        // Batches keep coming while the reader drains after a stop: none is dropped.
        pipeline.processBatch(data, offsets, lengths);
      });
      reader.start();
      manager.enable();
      if (trackingKprobes !== undefined) {
        gc = new TrackingGc({ map: native.map, fd: manager.mapFd(MAPS.tracking), liveFd: manager.mapFd(MAPS.trackingLive), log });
        gc.start();
      }
      for (const c of active) await c.instance.start?.();

      stop.watchSignal(this.deps.signal);
      if (opts.cmd) stop.runCommand(opts.cmd);
      const reason = await stop.stopped;
      log.info(reason);
    } finally {
      gc?.stop();
      manager.disable();
      manager.detach();
      if (reader) await reader.stop();
      if (manager.probeCount > 0) lost = this.reportLost(manager);
      manager.close();
      for (const c of active) {
        try {
          await c.instance.stop?.();
        } catch (e) {
          log.warn(`collector "${c.def.meta.name}" failed to stop: ${errorMessage(e)}`);
        }
      }
      pipeline.close();
      scope.dispose();
    }
    log.info(`${pipeline.processed} event(s) processed`);
    return { exitCode: 0, events: pipeline.processed, lost };
  }

  private async initCollectors(
    opts: CollectOptions, kernel: KernelInspector,
    scope: ReturnType<typeof rootContainer.createChildContainer>, active: ActiveCollector[],
  ) {
    const { log } = this.deps;
    const hooks: HookRequest[] = [];
    const mapValues: MapValue[] = [];
    const probes: string[] = [];
    const factories: SectionFactory[] = [];
    const selected = selectCollectors(opts.collectors, this.deps.collectors.keys());
    let nextOwner = 128;
    for (const sel of selected) {
      const found = this.deps.collectors.get(sel.name)!;
      const def = found.load();
      const ctx: CollectContext = { options: opts.collectorOptions[sel.name] ?? {}, kernel, log };
      const wrap = (phase: string, e: unknown) =>
        new RetisError(`collector "${sel.name}" failed in ${phase}: ${errorMessage(e)}`, RetisErrorCode.CollectorUnavailable);
      let instance: Collector;
      try {
        instance = scope.resolve(def.collector);
        await instance.canRun?.(ctx);
      } catch (e) {
        if (!sel.mandatory && (e instanceof CollectorUnavailableError || (e as Error)?.name === 'CollectorUnavailableError')) {
          log.debug(`Collector ${sel.name} skipped: ${errorMessage(e)}`);
          continue;
        }
        if (e instanceof CollectorUnavailableError || (e as Error)?.name === 'CollectorUnavailableError') {
          throw new RetisError(`Could not start collector '${sel.name}': ${errorMessage(e)}`, RetisErrorCode.CollectorUnavailable);
        }
        throw wrap('canRun', e);
      }
      const owner = def.owner ?? nextOwner++;
      // Kept apart until the collector's probes are known to attach here.
      const mine = { hooks: [] as HookRequest[], probes: [] as string[], mapValues: [] as MapValue[], factories: [] as SectionFactory[] };
      try {
        await instance.init(ctx, {
          owner,
          registerHook: (objectPath) => mine.hooks.push({ objectPath, owner, collector: sel.name }),
          registerProbe: (spec) => mine.probes.push(spec),
          setMapValue: (map, key, value) => mine.mapValues.push({ map, key, value }),
          registerFactory: (f) => mine.factories.push(f),
        });
      } catch (e) {
        if (e instanceof RetisError) throw e;
        throw wrap('init', e);
      }
      const missing = this.unsupportedProbe(kernel, mine.probes);
      if (missing) {
        if (sel.mandatory) {
          throw new RetisError(`Could not start collector '${sel.name}': ${missing.message}`, RetisErrorCode.KernelFeatureMissing);
        }
        log.debug(`Collector ${sel.name} skipped: ${missing.message}`);
        await instance.stop?.();
        continue;
      }
      hooks.push(...mine.hooks);
      probes.push(...mine.probes);
      mapValues.push(...mine.mapValues);
      factories.push(...mine.factories);
      active.push({ def, dir: found.dir, instance, owner });
    }
    if (opts.collectors.includes('auto')) {
      log.info(`Collector(s) started: ${active.map((c) => c.def.meta.name).join(', ')}`);
    }
    return { hooks, mapValues, probes, factories };
  }

  /** The error of the first probe spec whose kind this kernel cannot attach, if any. */
  private unsupportedProbe(kernel: KernelInspector, specs: string[]): RetisError | undefined {
    for (const spec of specs) {
      const { kind, target } = parseProbeSpec(spec);
      if (!kindSupported(kind, kernel.features())) return missingKindError({ kind, symbol: target });
    }
    return undefined;
  }

  private resolveProbes(
    opts: CollectOptions, kernel: KernelInspector, active: ActiveCollector[], collectorProbes: string[],
  ): { probes: ResolvedProbe[]; trackingKprobes?: boolean } {
    const { log } = this.deps;
    const known = new Set(active.flatMap((c) => c.def.knownKernelTypes));
    let user = opts.probes;
    if (user.length === 0 && opts.defaultProbes && opts.collectors.length === 1 && opts.collectors[0] === 'auto') {
      user = DEFAULT_PROBES;
      log.info(`No probe(s) given: using ${DEFAULT_PROBES.join(', ')}`);
    }
    const out = new Map<string, ResolvedProbe>();
    const add = (spec: string, fromUser: boolean) => {
      const parsed = parseProbeSpec(spec);
      // A kind the kernel lacks is one clear error, before any lookup.
      if (!kindSupported(parsed.kind, kernel.features())) throw missingKindError({ kind: parsed.kind, symbol: parsed.target });
      for (const probe of kernel.resolve(parsed)) {
        const key = probeKey({ kind: probe.kind, target: probe.symbol });
        if (fromUser && !probeUsable(probe, known)) {
          log.info(`No probe was attached to ${key} as no collector could retrieve data from it`);
          continue;
        }
        const prior = out.get(key);
        if (prior) prior.stack ||= probe.stack;
        else out.set(key, probe);
      }
    };
    for (const spec of user) add(spec, true);
    for (const spec of collectorProbes) add(spec, false);
    if (out.size === 0) throw new RetisError('No probe could be attached: nothing to collect', RetisErrorCode.UnknownProbe);
    // Core skb tracking, when a collector handles skbs (reference §1.2 step
    // 3): its probes are tracking-only unless the user or a collector asked
    // for them too.
    let trackingKprobes: boolean | undefined;
    if (known.has('struct sk_buff *')) {
      const tracking = trackingSetup(kernel, log);
      trackingKprobes = tracking.kprobes;
      for (const [key, probe] of tracking.probes) if (!out.has(key)) out.set(key, probe);
    }
    return { probes: [...out.values()], trackingKprobes };
  }

  /** The kernel's THREAD_SIZE for kretprobes; 16 KiB (x86_64, arm64) when kallsyms does not tell. */
  private threadSize(): number {
    const size = kernelThreadSize();
    if (size === undefined) this.deps.log.debug('THREAD_SIZE not found in kallsyms: using 16384');
    return size ?? 16384;
  }

  private reportLost(manager: ProbeManager): number {
    const { log } = this.deps;
    let total = 0;
    for (const { probe, count } of manager.lostEvents()) {
      log.warn(`lost ${count} event(s) from ${probe}`);
      total += count;
    }
    log.info(`total events lost: ${total}`);
    return total;
  }
}
