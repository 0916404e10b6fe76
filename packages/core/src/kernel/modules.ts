/**
 * Loaded kernel modules, for what vmlinux's BTF does not describe: which
 * modules have BTF (`/sys/kernel/btf/<module>`, split over vmlinux) and which
 * module a symbol of /proc/kallsyms belongs to (its `[module]` column). Both
 * are read on first use only: a run whose probes are all in vmlinux never
 * touches them.
 */
import * as fs from 'fs';
import { KALLSYMS_PATH } from './kallsyms';

export const BTF_DIR = '/sys/kernel/btf';

/** What the kernel inspector asks about modules (KernelModules; fakes in tests). */
export interface ModuleSource {
  /** Modules that have BTF, sorted. */
  withBtf(): readonly string[];
  /** Whether one module has BTF. */
  hasBtf(module: string): boolean;
  /** A kallsyms symbol's module; undefined for none (vmlinux's, or no such symbol); null when kallsyms cannot be read. */
  symbolModule(symbol: string): string | undefined | null;
}

export class KernelModules implements ModuleSource {
  private btfModules?: string[];
  private kallsymsModules?: Map<string, string> | null;

  constructor(private readonly paths: { btfDir: string; kallsyms: string } = { btfDir: BTF_DIR, kallsyms: KALLSYMS_PATH }) {}

  /** Modules that have BTF, sorted (empty where the kernel has no module BTF). */
  withBtf(): readonly string[] {
    if (this.btfModules === undefined) {
      try {
        this.btfModules = fs.readdirSync(this.paths.btfDir).filter((n) => n !== 'vmlinux').sort();
      } catch {
        this.btfModules = [];
      }
    }
    return this.btfModules;
  }

  /** Whether `module` has BTF (one stat, without listing the others). */
  hasBtf(module: string): boolean {
    if (this.btfModules) return this.btfModules.includes(module);
    return module !== 'vmlinux' && !module.includes('/') && fs.existsSync(`${this.paths.btfDir}/${module}`);
  }

  /**
   * The module of a kallsyms symbol: its name, undefined when no module has
   * that symbol (it is vmlinux's, or nobody's), null when kallsyms cannot be
   * read.
   */
  symbolModule(symbol: string): string | undefined | null {
    if (this.kallsymsModules === undefined) this.kallsymsModules = this.readKallsyms();
    return this.kallsymsModules === null ? null : this.kallsymsModules.get(symbol);
  }

  /** Module symbols only (`<addr> <type> <name>\t[<module>]`), first module wins. */
  private readKallsyms(): Map<string, string> | null {
    let text: string;
    try {
      text = fs.readFileSync(this.paths.kallsyms, 'latin1');
    } catch {
      return null;
    }
    const out = new Map<string, string>();
    const re = /^[0-9a-f]+ \S (\S+)\t\[([^\]]+)\]/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) if (!out.has(m[1])) out.set(m[1], m[2]);
    return out;
  }
}
