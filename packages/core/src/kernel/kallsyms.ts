/**
 * /proc/kallsyms: kernel addresses to `symbol+0xoffset` for stack traces
 * (reference §7.5), and the kernel's THREAD_SIZE. Read on first use only:
 * about 120k lines, which a run without stack traces never needs.
 */
import * as fs from 'fs';

export const KALLSYMS_PATH = '/proc/kallsyms';

export class Kallsyms {
  /** Sorted ascending; names[i] starts at addrs[i]. */
  private readonly addrs: BigUint64Array;
  private readonly names: string[];
  private readonly byName = new Map<string, bigint>();

  private constructor(entries: { addr: bigint; name: string }[]) {
    entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    this.addrs = new BigUint64Array(entries.length);
    this.names = new Array<string>(entries.length);
    entries.forEach((e, i) => {
      this.addrs[i] = e.addr;
      this.names[i] = e.name;
      if (!this.byName.has(e.name)) this.byName.set(e.name, e.addr);
    });
  }

  /** Parses kallsyms text (`<hex addr> <type> <name>[\t[module]]` lines). */
  static parse(text: string): Kallsyms {
    const entries: { addr: bigint; name: string }[] = [];
    for (const line of text.split('\n')) {
      const sp1 = line.indexOf(' ');
      const sp2 = line.indexOf(' ', sp1 + 1);
      if (sp1 <= 0 || sp2 < 0) continue;
      let name = line.slice(sp2 + 1);
      const tab = name.indexOf('\t');
      if (tab >= 0) name = name.slice(0, tab);
      // ARM mapping symbols ($x, $d) are not functions.
      if (name === '' || name.startsWith('$')) continue;
      entries.push({ addr: BigInt(`0x${line.slice(0, sp1)}`), name });
    }
    return new Kallsyms(entries);
  }

  static load(path = KALLSYMS_PATH): Kallsyms {
    return Kallsyms.parse(fs.readFileSync(path, 'latin1'));
  }

  /** False when every address reads as zero (kptr_restrict without CAP_SYSLOG). */
  get hasAddresses(): boolean {
    return this.addrs.length > 0 && this.addrs[this.addrs.length - 1] !== 0n;
  }

  address(name: string): bigint | undefined {
    return this.byName.get(name);
  }

  /** `sym+0xoff` for the nearest symbol at or below addr, `0x<addr>` when none. */
  symbolize(addr: bigint): string {
    let lo = 0;
    let hi = this.addrs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.addrs[mid] <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || this.addrs[found] === 0n) return `0x${addr.toString(16)}`;
    return `${this.names[found]}+0x${(addr - this.addrs[found]).toString(16)}`;
  }

  /**
   * The kernel's THREAD_SIZE, from the bounds of the initial task's stack
   * (as the reference computes it); undefined when kallsyms lacks them.
   */
  threadSize(): number | undefined {
    return threadSizeOf((name) => this.address(name));
  }
}

/**
 * THREAD_SIZE from kallsyms without parsing every line (kretprobes need it
 * at load time, stack traces may never be asked for).
 */
export function kernelThreadSize(path = KALLSYMS_PATH): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  const found = new Map<string, bigint>();
  const re = /^([0-9a-f]+) \S (__start_init_stack|__end_init_stack|__start_init_task|__end_init_task)$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) found.set(m[2], BigInt(`0x${m[1]}`));
  return threadSizeOf((name) => found.get(name));
}

/** The initial task's stack bounds, as the reference reads them. */
const STACK_BOUNDS = [['__start_init_stack', '__end_init_stack'], ['__start_init_task', '__end_init_task']] as const;

function threadSizeOf(address: (name: string) => bigint | undefined): number | undefined {
  for (const [start, end] of STACK_BOUNDS) {
    const s = address(start);
    const e = address(end);
    if (s !== undefined && e !== undefined && e > s) return Number(e - s);
  }
  return undefined;
}
