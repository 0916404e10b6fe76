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

  constructor(private readonly roots: readonly string[] = ROOTS) {}

  /** `group:event` names, or null when the list cannot be read. */
  availableEvents(): Set<string> | null {
    if (this.events === undefined) this.events = this.readList('available_events', (l) => l);
    return this.events;
  }

  /** Traceable function names (module suffixes ` [mod]` removed), or null. */
  availableFunctions(): Set<string> | null {
    if (this.functions === undefined) {
      this.functions = this.readList('available_filter_functions', (l) => {
        const sp = l.indexOf(' ');
        return sp < 0 ? l : l.slice(0, sp);
      });
    }
    return this.functions;
  }

  private readList(file: string, key: (line: string) => string): Set<string> | null {
    for (const root of this.roots) {
      let text: string;
      try {
        text = fs.readFileSync(`${root}/${file}`, 'latin1');
      } catch {
        continue;
      }
      const set = new Set<string>();
      for (const line of text.split('\n')) if (line) set.add(key(line));
      return set;
    }
    return null;
  }
}
