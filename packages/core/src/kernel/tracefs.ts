/**
 * tracefs lists (available_events, available_filter_functions). They are
 * optional: when tracefs is not mounted or a list is not readable, callers
 * fall back on BTF alone, as the reference falls back on kallsyms.
 */
import * as fs from 'fs';

const ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

export class Tracefs {
  private events?: Set<string> | null;
  private functions?: Set<string> | null;
  /** Module functions: name -> the modules listing it (`name [module]` lines). */
  private readonly modules = new Map<string, string[]>();
  /** Names listed both with and without a module. */
  private readonly alsoVmlinux = new Set<string>();

  constructor(private readonly roots: readonly string[] = ROOTS) {}

  /** `group:event` names, or null when the list cannot be read. */
  availableEvents(): Set<string> | null {
    if (this.events === undefined) this.events = this.readList('available_events', (l) => l);
    return this.events;
  }

  /**
   * Traceable function names, or null. A module's functions are listed as
   * `name [module]` (a tab for the space on some kernels): the suffix is cut
   * here and kept for functionModules().
   */
  availableFunctions(): Set<string> | null {
    if (this.functions === undefined) {
      this.functions = this.readList('available_filter_functions', (l, listed) => {
        const sp = l.search(/[ \t]/);
        const name = sp < 0 ? l : l.slice(0, sp);
        const m = sp < 0 ? null : /^\s*\[([^\]]+)\]/.exec(l.slice(sp));
        const mods = this.modules.get(name);
        if (!m) {
          if (mods) this.alsoVmlinux.add(name);
        } else if (!mods) {
          this.modules.set(name, [m[1]]);
          if (listed.has(name)) this.alsoVmlinux.add(name);
        } else if (!mods.includes(m[1])) {
          mods.push(m[1]);
        }
        return name;
      });
    }
    return this.functions;
  }

  /** Whether the list has `name` without a module suffix, as a function of vmlinux (false when it cannot be read). */
  vmlinuxFunction(name: string): boolean {
    const funcs = this.availableFunctions();
    return !!funcs && funcs.has(name) && (!this.modules.has(name) || this.alsoVmlinux.has(name));
  }

  /**
   * The modules whose function `name` is (empty for a function of vmlinux,
   * an unlisted one, or when the list cannot be read), in list order.
   */
  functionModules(name: string): readonly string[] {
    this.availableFunctions();
    return this.modules.get(name) ?? [];
  }

  private readList(file: string, key: (line: string, listed: ReadonlySet<string>) => string): Set<string> | null {
    for (const root of this.roots) {
      let text: string;
      try {
        text = fs.readFileSync(`${root}/${file}`, 'latin1');
      } catch {
        continue;
      }
      const set = new Set<string>();
      for (const line of text.split('\n')) if (line) set.add(key(line, set));
      return set;
    }
    return null;
  }
}
