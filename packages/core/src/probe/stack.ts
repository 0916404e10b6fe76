/**
 * Stack traces (reference §7.5): the frames of a `stack_map` entry as
 * `symbol+0xoffset` (or `0x<address>` outside any symbol). kallsyms is read
 * only when the first stack is resolved; entries are never freed by the BPF
 * side, so a resolved stack is cached by its id.
 */
import type { MapOps } from '@retis/bpf-native';
import { decodeStackTrace, encodeStackId, STACK_DEPTH } from '../bpf/abi';
import { Kallsyms } from '../kernel/kallsyms';
import type { Logger } from '../log';

export type StackFrames = (stackId: number) => string[] | undefined;

export interface StackResolverOptions {
  map: Pick<MapOps, 'lookup'>;
  /** stack_map fd. */
  fd: number;
  log: Logger;
  /** Where symbols come from (default: /proc/kallsyms, read on first use). */
  kallsyms?: () => Kallsyms;
}

export function stackResolver(opts: StackResolverOptions): StackFrames {
  const cache = new Map<number, string[]>();
  let symbols: Kallsyms | undefined;
  let warned = false;
  return (stackId) => {
    const cached = cache.get(stackId);
    if (cached) return cached;
    const value = opts.map.lookup(opts.fd, encodeStackId(stackId), STACK_DEPTH * 8);
    if (!value) return undefined;
    if (!symbols) {
      symbols = (opts.kallsyms ?? (() => Kallsyms.load()))();
      if (!symbols.hasAddresses && !warned) {
        warned = true;
        opts.log.warn('kallsyms shows no addresses (kptr_restrict?): stack frames are reported as raw addresses');
      }
    }
    const frames = decodeStackTrace(value).map((addr) => symbols!.symbolize(addr));
    cache.set(stackId, frames);
    return frames;
  };
}
