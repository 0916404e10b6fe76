import { existsSync, readFileSync } from 'fs';
import {
  CollectorUnavailableError, coreTokens, hookObjectPath, inject, injectable,
  type CollectContext, type Collector, type CollectorRegistration, type Logger,
} from '@retis/core';
import { configEnabledOrUnknown, type ConntrackFacts, conntrackAvailability, loadedModules } from './availability';
import { CtFactory } from './decode';
import { type KernelConfig, readKernelConfig } from './kconfig';
import { buildProtoStateNames } from './proto-states';

/** What this machine says about conntrack, read once per collection. */
function machineFacts(ctx: CollectContext, kconfig: KernelConfig | undefined): ConntrackFacts {
  let modules = new Set<string>();
  try {
    modules = loadedModules(readFileSync('/proc/modules', 'utf8'));
  } catch {
    // No /proc/modules: a kernel without module support.
  }
  let vmlinuxHasNfConn = false;
  try {
    vmlinuxHasNfConn = ctx.kernel.btf.findByName('nf_conn', 'struct') >= 0;
  } catch {
    // No kernel BTF: nothing here can load anyway; the probes will say so.
  }
  return {
    kconfig,
    moduleLoaded: modules.has('nf_conntrack') || existsSync('/sys/module/nf_conntrack'),
    btfHasNfConn: vmlinuxHasNfConn || existsSync('/sys/kernel/btf/nf_conntrack'),
    procEntry: existsSync('/proc/net/nf_conntrack'),
  };
}

@injectable()
export class CtCollector implements Collector {
  private kconfig?: KernelConfig;

  constructor(@inject(coreTokens.logger) private readonly log: Logger) {}

  canRun(ctx: CollectContext): void {
    const found = readKernelConfig();
    this.kconfig = found?.config;
    if (found === undefined) this.log.debug('ct: kernel configuration not found; looking for conntrack in BTF and procfs');
    const verdict = conntrackAvailability(machineFacts(ctx, this.kconfig));
    if (!verdict.available) throw new CollectorUnavailableError(verdict.reason);
    this.log.debug(`ct: connection tracking available (${verdict.why})`);
  }

  init(ctx: CollectContext, reg: CollectorRegistration): void {
    reg.registerHook(hookObjectPath(__dirname, 'ct_hook'));
    reg.registerFactory(new CtFactory({
      protoStates: buildProtoStateNames(ctx.kernel.btf),
      markAvailable: configEnabledOrUnknown(this.kconfig, 'CONFIG_NF_CONNTRACK_MARK'),
      labelsAvailable: configEnabledOrUnknown(this.kconfig, 'CONFIG_NF_CONNTRACK_LABELS'),
    }, reg.owner));
  }
}
