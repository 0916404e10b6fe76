/**
 * KernelFacts of the running kernel. A symbol exists when it resolves the
 * way a probe target does (reference §7.2): a tracepoint needs its BTF
 * prototype (`btf_trace_<event>`) and, when tracefs is readable, an entry in
 * available_events; a function needs a BTF `Func` and an entry in
 * available_filter_functions, or in kallsyms when tracefs is not readable.
 *
 * Everything loads on first use: a profile without symbol conditions never
 * touches BTF (nor the native addon the inspector needs).
 */
import * as fs from 'fs';
import * as os from 'os';
import { isRetisError } from '../errors';
import type { KernelInspector } from '../kernel/inspector';
import { KALLSYMS_PATH } from '../kernel/kallsyms';
import type { KernelFacts } from './conditions';

/** Whether kallsyms names a symbol. */
export interface SymbolTable {
  has(name: string): boolean;
}

export interface RunningKernelSources {
  inspector: () => KernelInspector;
  kallsyms?: () => SymbolTable;
  release?: () => string;
}

/**
 * A presence check over the kallsyms text: searching it costs a few
 * milliseconds where indexing its 200k lines costs a hundred or more.
 */
export function kallsymsText(file = KALLSYMS_PATH): SymbolTable {
  const text = fs.readFileSync(file, 'latin1');
  // `<addr> <type> <name>` then a newline, or a tab before a module name.
  return { has: (name) => text.includes(` ${name}\n`) || text.includes(` ${name}\t`) };
}

export function runningKernelFacts(sources: RunningKernelSources): KernelFacts {
  let inspector: KernelInspector | undefined;
  let kallsyms: SymbolTable | undefined;
  const known = new Map<string, boolean>();
  const getInspector = () => (inspector ??= sources.inspector());
  const getKallsyms = () => (kallsyms ??= (sources.kallsyms ?? (() => kallsymsText()))());

  const resolves = (name: string): boolean => {
    // Names are exact: a pattern is not a symbol.
    if (name === '' || name.includes('*')) return false;
    const colons = name.split(':').length - 1;
    if (colons > 1) return false;
    const kernel = getInspector();
    const kind = colons === 1 ? 'raw_tracepoint' : 'kprobe';
    try {
      kernel.resolve({ kind, target: name, options: { stack: false } });
    } catch (e) {
      if (isRetisError(e)) return false;
      throw e;
    }
    if (kind === 'kprobe' && kernel.tracefs.availableFunctions() === null) {
      return getKallsyms().has(name);
    }
    return true;
  };

  return {
    release: sources.release ?? (() => os.release()),
    symbolExists(name: string): boolean {
      let v = known.get(name);
      if (v === undefined) {
        v = resolves(name);
        known.set(name, v);
      }
      return v;
    },
  };
}
