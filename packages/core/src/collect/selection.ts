/**
 * Which collectors run: `auto` means every collector whose prerequisites
 * hold (failures are debug lines); a named collector is mandatory and its
 * failure is fatal.
 */
import { RetisError, RetisErrorCode } from '../errors';
import { COLLECTOR_ORDER } from './options';

export interface SelectedCollector {
  name: string;
  /** Named by the user: a failed prerequisite is fatal. */
  mandatory: boolean;
}

export function selectCollectors(requested: readonly string[], available: Iterable<string>): SelectedCollector[] {
  const known = new Set(available);
  const auto = requested.includes('auto');
  const named = new Set<string>();
  for (const name of requested) {
    if (name === 'auto') continue;
    if (!known.has(name)) {
      throw new RetisError(`Unknown collector '${name}' (available: auto, ${orderNames(known).join(', ')})`, RetisErrorCode.UnknownCollector);
    }
    named.add(name);
  }
  const names = auto ? orderNames(known) : orderNames(named);
  return names.map((name) => ({ name, mandatory: named.has(name) }));
}

function orderNames(names: Iterable<string>): string[] {
  const rank = (n: string) => {
    const i = COLLECTOR_ORDER.indexOf(n);
    return i < 0 ? COLLECTOR_ORDER.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
