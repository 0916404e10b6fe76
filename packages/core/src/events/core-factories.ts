/**
 * Decoders of the sections the generic probe programs write: common (owner
 * 1) and kernel (owner 2). Layouts are those of `retis_events.h`.
 */
import { cString, expectSize, LITTLE_ENDIAN, type StructLayout, unknownDataType, viewOf } from './layout';
import { RawSectionError } from './raw-error';
import type { RawSection, SectionFactory } from './section';
import type { CommonSection, KernelSection, RetisEvent } from './types';

export const COMMON_OWNER = 1;
export const KERNEL_OWNER = 2;

export const COMMON_EVENT_LAYOUT = {
  name: 'common_event',
  size: 16,
  fields: {
    timestamp: { offset: 0, size: 8 },
    smp_id: { offset: 8, size: 4 },
    pad: { offset: 12, size: 4 },
  },
} as const satisfies StructLayout;

export const COMMON_TASK_EVENT_LAYOUT = {
  name: 'common_task_event',
  size: 72,
  fields: {
    pid_tgid: { offset: 0, size: 8 },
    comm: { offset: 8, size: 64 },
  },
} as const satisfies StructLayout;

export const KERNEL_EVENT_LAYOUT = {
  name: 'kernel_event',
  size: 24,
  fields: {
    symbol: { offset: 0, size: 8 },
    stack_id: { offset: 8, size: 8 },
    type: { offset: 16, size: 1 },
    pad: { offset: 17, size: 7 },
  },
} as const satisfies StructLayout;

/** Return probes only (kretprobe, fexit): the raw return value. */
export const KERNEL_RETVAL_EVENT_LAYOUT = {
  name: 'kernel_retval_event',
  size: 8,
  fields: {
    retval: { offset: 0, size: 8 },
  },
} as const satisfies StructLayout;

const COMMON_DT_EVENT = 0;
const COMMON_DT_TASK = 1;
const KERNEL_DT_EVENT = 0;
const KERNEL_DT_RETVAL = 1;

export class CommonFactory implements SectionFactory {
  readonly owner = COMMON_OWNER;
  // The last task seen: consecutive events mostly come from the same task,
  // whose comm is then not decoded again. Only a comm ending within the
  // first 16 bytes (the kernel's TASK_COMM_LEN) is kept: those 16 bytes
  // then decide the whole string.
  private readonly lastComm = new Uint32Array(4);
  private lastCommText: string | undefined;

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    const v = viewOf(buf, view);
    let common: CommonSection | undefined;
    let taskAt = -1;
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i];
      if (s.dataType === COMMON_DT_EVENT) {
        expectSize(s, COMMON_EVENT_LAYOUT, 'common');
        const f = COMMON_EVENT_LAYOUT.fields;
        common = {
          timestamp: v.getBigUint64(s.offset + f.timestamp.offset, LITTLE_ENDIAN),
          smp_id: v.getUint32(s.offset + f.smp_id.offset, LITTLE_ENDIAN),
        };
      } else if (s.dataType === COMMON_DT_TASK) {
        expectSize(s, COMMON_TASK_EVENT_LAYOUT, 'common');
        taskAt = s.offset;
      } else {
        unknownDataType(s, 'common');
      }
    }
    if (common === undefined) throw new RawSectionError('common: event has no common_event section');
    if (taskAt >= 0) {
      const f = COMMON_TASK_EVENT_LAYOUT.fields;
      // pid_tgid is the kernel's (tgid << 32 | pid); Retis names the upper
      // half `pid` (the process) and the lower half `tgid` (the thread).
      const lo = v.getUint32(taskAt + f.pid_tgid.offset + (LITTLE_ENDIAN ? 0 : 4), LITTLE_ENDIAN);
      const hi = v.getUint32(taskAt + f.pid_tgid.offset + (LITTLE_ENDIAN ? 4 : 0), LITTLE_ENDIAN);
      const comm = this.comm(buf, v, taskAt + f.comm.offset);
      common.task = { pid: hi | 0, tgid: lo | 0, comm };
    }
    event.common = common;
  }

  private comm(buf: Buffer, v: DataView, at: number): string {
    const last = this.lastComm;
    const a = v.getUint32(at, true), b = v.getUint32(at + 4, true), c = v.getUint32(at + 8, true), d = v.getUint32(at + 12, true);
    if (this.lastCommText !== undefined && a === last[0] && b === last[1] && c === last[2] && d === last[3]) return this.lastCommText;
    const size = COMMON_TASK_EVENT_LAYOUT.fields.comm.size;
    const comm = cString(buf, at, size, true);
    if (comm === undefined) throw new RawSectionError('common: task comm is not NUL-terminated');
    last[0] = a;
    last[1] = b;
    last[2] = c;
    last[3] = d;
    const nul = buf.indexOf(0, at);
    this.lastCommText = nul >= at && nul - at < 16 ? comm : undefined;
    return comm;
  }
}

/**
 * Name of the probe at a kernel address: a function, or `group:event` for a
 * tracepoint; for return probes, the decoder of the raw return value (its BTF
 * type; undefined result or no decoder: nothing to report, e.g. void).
 */
export type KernelSymbolResolver = (
  addr: bigint,
) => { name: string; probeType?: string; retval?: (raw: bigint) => bigint | undefined } | undefined;
/** The frames of a stack id from the stack map, as `sym+0xoff` or `0xaddr`. */
export type StackResolver = (stackId: number) => string[] | undefined;

/** Wire `type` values; fentry (3) and fexit (4) are additions to the reference. */
const PROBE_TYPES = ['kprobe', 'kretprobe', 'raw_tracepoint', 'fentry', 'fexit'];

export interface KernelFactoryOptions {
  resolveSymbol: KernelSymbolResolver;
  resolveStack?: StackResolver;
}

export class KernelFactory implements SectionFactory {
  readonly owner = KERNEL_OWNER;
  private readonly resolveSymbol: KernelSymbolResolver;
  private readonly resolveStack: StackResolver | undefined;

  constructor(opts: KernelFactoryOptions) {
    this.resolveSymbol = opts.resolveSymbol;
    this.resolveStack = opts.resolveStack;
  }

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    let s: RawSection | undefined;
    let retvalAt = -1;
    for (let i = 0; i < sections.length; i++) {
      const section = sections[i];
      if (section.dataType === KERNEL_DT_EVENT && s === undefined) {
        s = section;
      } else if (section.dataType === KERNEL_DT_RETVAL && retvalAt < 0) {
        expectSize(section, KERNEL_RETVAL_EVENT_LAYOUT, 'kernel');
        retvalAt = section.offset;
      } else if (section.dataType === KERNEL_DT_EVENT || section.dataType === KERNEL_DT_RETVAL) {
        throw new RawSectionError(`kernel: data type ${section.dataType} given twice`);
      } else {
        unknownDataType(section, 'kernel');
      }
    }
    if (s === undefined) throw new RawSectionError('kernel: event has no kernel_event section');
    expectSize(s, KERNEL_EVENT_LAYOUT, 'kernel');
    const v = viewOf(buf, view);
    const f = KERNEL_EVENT_LAYOUT.fields;
    const addr = v.getBigUint64(s.offset + f.symbol.offset, LITTLE_ENDIAN);
    const sym = this.resolveSymbol(addr);
    if (sym === undefined) throw new RawSectionError(`kernel: no symbol at address 0x${addr.toString(16)}`);
    // The resolver may name probe kinds the wire byte cannot (it knows the probes it installed).
    const type = buf[s.offset + f.type.offset];
    const probeType = sym.probeType ?? PROBE_TYPES[type];
    if (probeType === undefined) throw new RawSectionError(`kernel: unknown probe type ${type}`);
    const kernel: KernelSection = { symbol: sym.name, probe_type: probeType };
    // s64 stack id: -1 (or any negative) when no stack was taken.
    const hi = v.getInt32(s.offset + f.stack_id.offset + (LITTLE_ENDIAN ? 4 : 0), LITTLE_ENDIAN);
    if (hi >= 0 && this.resolveStack !== undefined) {
      const lo = v.getUint32(s.offset + f.stack_id.offset + (LITTLE_ENDIAN ? 0 : 4), LITTLE_ENDIAN);
      const stack = this.resolveStack(hi * 0x100000000 + lo);
      if (stack !== undefined && stack.length > 0) kernel.stack_trace = stack;
    }
    if (retvalAt >= 0 && sym.retval !== undefined) {
      const retval = sym.retval(v.getBigUint64(retvalAt + KERNEL_RETVAL_EVENT_LAYOUT.fields.retval.offset, LITTLE_ENDIAN));
      if (retval !== undefined) kernel.retval = retval;
    }
    event.kernel = kernel;
  }
}
