/**
 * Whether connection tracking can be reported on this kernel (the ct
 * collector's canRun). The kernel configuration decides when it can be
 * read, as in the reference: `CONFIG_NF_CONNTRACK=y`, or `=m` with the
 * `nf_conntrack` module loaded.
 *
 * Where the reference simply runs when the configuration cannot be read,
 * we look at the kernel itself: conntrack is there when the kernel's BTF
 * describes `struct nf_conn` (vmlinux, or the nf_conntrack module's BTF) or
 * /proc/net/nf_conntrack exists. Without any of these the collector is
 * unavailable: its hook reads `struct nf_conn` through CO-RE and would make
 * the whole probe program fail to load.
 */
import type { KernelConfig } from './kconfig';

/** What the machine says about conntrack. */
export interface ConntrackFacts {
  /** The kernel configuration, undefined when it cannot be read. */
  kconfig?: KernelConfig;
  /** nf_conntrack is a loaded module (/proc/modules, /sys/module). */
  moduleLoaded: boolean;
  /** `struct nf_conn` is in the kernel's BTF (vmlinux or a module's). */
  btfHasNfConn: boolean;
  /** /proc/net/nf_conntrack exists. */
  procEntry: boolean;
}

export type ConntrackAvailability = { available: true; why: string } | { available: false; reason: string };

export const NOT_SUPPORTED = 'This kernel does not support connection tracking';
export const MODULE_NOT_LOADED = "'nf_conntrack' is not loaded";

export function conntrackAvailability(facts: ConntrackFacts): ConntrackAvailability {
  if (facts.kconfig !== undefined) {
    const value = facts.kconfig.get('CONFIG_NF_CONNTRACK');
    if (value === 'y') return { available: true, why: 'CONFIG_NF_CONNTRACK=y' };
    if (value === 'm') {
      return facts.moduleLoaded
        ? { available: true, why: 'CONFIG_NF_CONNTRACK=m and nf_conntrack is loaded' }
        : { available: false, reason: MODULE_NOT_LOADED };
    }
    return { available: false, reason: NOT_SUPPORTED };
  }
  if (facts.btfHasNfConn) return { available: true, why: 'kernel config unreadable; struct nf_conn is in the kernel BTF' };
  if (facts.procEntry) return { available: true, why: 'kernel config unreadable; /proc/net/nf_conntrack exists' };
  return { available: false, reason: `${NOT_SUPPORTED} (kernel config unreadable, no struct nf_conn in BTF, no /proc/net/nf_conntrack)` };
}

/** Whether a kernel option is enabled, an unknown configuration counting as yes (as Retis does for mark and labels). */
export function configEnabledOrUnknown(kconfig: KernelConfig | undefined, option: string): boolean {
  return kconfig === undefined || kconfig.get(option) === 'y';
}

/** Module names listed in a /proc/modules text. */
export function loadedModules(procModules: string): Set<string> {
  const names = new Set<string>();
  for (const line of procModules.split('\n')) {
    const name = line.split(' ', 1)[0];
    if (name) names.add(name);
  }
  return names;
}
