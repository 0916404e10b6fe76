/**
 * The sections core owns: common, kernel, userspace, tracking and startup.
 * Field order in `toJson` follows the reference's structs, so files written
 * here diff cleanly against files written by Retis.
 */
import { formatEventTime } from '../display/time';
import { int, i64, obj, optUint, str, strArray, u64, uint } from './fields';
import { flatString, jsonString } from './json';
import type { DisplayFormat, SectionDefinition } from './section';
import { formatSkbTracking, skbTrackingFromJson, skbTrackingToJson } from './skb-tracking';
import type { CommonSection, KernelSection, StartupSection, TaskInfo, TrackingSection, UserspaceSection } from './types';

export const commonSection: SectionDefinition<CommonSection> = {
  key: 'common',
  fromJson(value) {
    const o = obj(value, 'common');
    const common: CommonSection = { timestamp: u64(o.timestamp, 'common.timestamp') };
    const smp = optUint(o.smp_id, 'common.smp_id');
    if (smp !== undefined) common.smp_id = smp;
    if (o.task !== undefined && o.task !== null) {
      const t = obj(o.task, 'common.task');
      common.task = {
        pid: int(t.pid, 'common.task.pid'),
        tgid: int(t.tgid, 'common.task.tgid'),
        comm: str(t.comm, 'common.task.comm'),
      };
    }
    return common;
  },
  toJson(c) {
    let out = '{"timestamp":' + c.timestamp;
    if (c.smp_id !== undefined) out += ',"smp_id":' + c.smp_id;
    const t = c.task;
    if (t !== undefined) out += taskJson(t);
    return out + '}';
  },
  format(c, fmt) {
    let out = formatEventTime(c.timestamp, fmt.utc, fmt.monotonicOffset);
    if (c.smp_id !== undefined) out += ` (${c.smp_id})`;
    if (c.task !== undefined) out += ' ' + formatTask(c.task);
    return out;
  },
};

// Consecutive events mostly come from the same task: its JSON is reused.
let lastTask: TaskInfo | undefined;
let lastTaskJson = '';

/** `,"task":{...}` of the common section. */
function taskJson(t: TaskInfo): string {
  const last = lastTask;
  if (last === undefined || last.pid !== t.pid || last.tgid !== t.tgid || last.comm !== t.comm) {
    lastTask = { pid: t.pid, tgid: t.tgid, comm: t.comm };
    lastTaskJson = flatString(`,"task":{"pid":${t.pid},"tgid":${t.tgid},"comm":${jsonString(t.comm)}}`);
  }
  return lastTaskJson;
}

/** `[comm] pid/tgid`, the pid only when it differs (a thread). */
function formatTask(t: TaskInfo): string {
  return t.pid !== t.tgid ? `[${t.comm}] ${t.pid}/${t.tgid}` : `[${t.comm}] ${t.tgid}`;
}

const PROBE_TAGS: Record<string, string> = { raw_tracepoint: 'tp', kprobe: 'k', kretprobe: 'kr', fentry: 'fentry', fexit: 'fexit' };

export const kernelSection: SectionDefinition<KernelSection> = {
  key: 'kernel',
  fromJson(value) {
    const o = obj(value, 'kernel');
    const kernel: KernelSection = {
      symbol: str(o.symbol, 'kernel.symbol'),
      probe_type: str(o.probe_type, 'kernel.probe_type'),
    };
    if (o.stack_trace !== undefined && o.stack_trace !== null) {
      kernel.stack_trace = strArray(o.stack_trace, 'kernel.stack_trace');
    }
    if (o.retval !== undefined && o.retval !== null) {
      // Signed integers may be negative, pointers exceed 2^63.
      kernel.retval = typeof o.retval === 'bigint' && o.retval >= 2n ** 63n ? u64(o.retval, 'kernel.retval') : i64(o.retval, 'kernel.retval');
    }
    return kernel;
  },
  toJson(k) {
    if (k.stack_trace === undefined && k.retval === undefined) return kernelJson(k.symbol, k.probe_type);
    let out = `{"symbol":${jsonString(k.symbol)},"probe_type":${jsonString(k.probe_type)}`;
    if (k.stack_trace !== undefined) {
      out += ',"stack_trace":[';
      for (let i = 0; i < k.stack_trace.length; i++) out += (i ? ',' : '') + jsonString(k.stack_trace[i]);
      out += ']';
    }
    if (k.retval !== undefined) out += ',"retval":' + k.retval;
    return out + '}';
  },
  format(k) {
    const text = `[${PROBE_TAGS[k.probe_type] ?? 'invalid'}] ${k.symbol}`;
    return k.retval === undefined ? text : `${text} ret ${k.retval}`;
  },
};

// A kernel section without stack or return value depends on the probe only.
const KERNEL_JSON = new Map<string, { probeType: string; json: string }>();

function kernelJson(symbol: string, probeType: string): string {
  const hit = KERNEL_JSON.get(symbol);
  if (hit !== undefined && hit.probeType === probeType) return hit.json;
  if (KERNEL_JSON.size >= 4096) KERNEL_JSON.clear();
  const json = flatString(`{"symbol":${jsonString(symbol)},"probe_type":${jsonString(probeType)}}`);
  KERNEL_JSON.set(symbol, { probeType, json });
  return json;
}

/** The stack of a kernel section: one frame per line, or `[a, b]` on one line. */
export function formatStackTrace(stack: readonly string[], fmt: DisplayFormat): string {
  return fmt.multiLine ? stack.join('\n') : `[${stack.join(', ')}]`;
}

export const userspaceSection: SectionDefinition<UserspaceSection> = {
  key: 'userspace',
  fromJson(value) {
    const o = obj(value, 'userspace');
    return {
      probe_type: str(o.probe_type, 'userspace.probe_type'),
      symbol: str(o.symbol, 'userspace.symbol'),
      ip: u64(o.ip, 'userspace.ip'),
      path: str(o.path, 'userspace.path'),
      pid: int(o.pid, 'userspace.pid'),
      tid: int(o.tid, 'userspace.tid'),
    };
  },
  toJson(u) {
    return (
      `{"probe_type":${jsonString(u.probe_type)},"symbol":${jsonString(u.symbol)},"ip":${u.ip},` +
      `"path":${jsonString(u.path)},"pid":${u.pid},"tid":${u.tid}}`
    );
  },
  format(u) {
    const slash = u.path.lastIndexOf('/');
    return slash === -1 ? `[u] ${u.symbol}` : `[u] ${u.symbol} (${u.path.slice(slash + 1)})`;
  },
};

export const trackingSection: SectionDefinition<TrackingSection> = {
  key: 'tracking',
  fromJson(value) {
    const o = obj(value, 'tracking');
    return { skb: skbTrackingFromJson(o.skb, 'tracking.skb'), idx: uint(o.idx, 'tracking.idx') };
  },
  toJson(t) {
    return `{"skb":${skbTrackingToJson(t.skb)},"idx":${t.idx}}`;
  },
  format(t) {
    return `${formatSkbTracking(t.skb)} n ${t.idx}`;
  },
};

export const startupSection: SectionDefinition<StartupSection> = {
  key: 'startup',
  fromJson(value) {
    const o = obj(value, 'startup');
    const retis_version = str(o.retis_version, 'startup.retis_version');
    const cmdline = str(o.cmdline, 'startup.cmdline');
    const offset = obj(o.clock_monotonic_offset, 'startup.clock_monotonic_offset');
    const machine = obj(o.machine, 'startup.machine');
    const startup: StartupSection = {
      retis_version,
      cmdline,
      clock_monotonic_offset: {
        sec: i64(offset.sec, 'startup.clock_monotonic_offset.sec'),
        nsec: i64(offset.nsec, 'startup.clock_monotonic_offset.nsec'),
      },
      machine: {
        kernel_release: str(machine.kernel_release, 'startup.machine.kernel_release'),
        kernel_version: str(machine.kernel_version, 'startup.machine.kernel_version'),
        hardware_name: str(machine.hardware_name, 'startup.machine.hardware_name'),
      },
    };
    if (o.split_file !== undefined && o.split_file !== null) {
      const split = obj(o.split_file, 'startup.split_file');
      const policy = obj(split.policy, 'startup.split_file.policy');
      if (policy.kind !== 'size') {
        throw new Error(`startup.split_file.policy.kind: unknown rotation policy ${JSON.stringify(policy.kind)}`);
      }
      startup.split_file = {
        id: uint(split.id, 'startup.split_file.id'),
        policy: { kind: 'size', limit: u64(policy.limit, 'startup.split_file.policy.limit') },
      };
    }
    return startup;
  },
  toJson(s) {
    const m = s.machine;
    let out =
      `{"retis_version":${jsonString(s.retis_version)},"cmdline":${jsonString(s.cmdline)},` +
      `"clock_monotonic_offset":{"sec":${s.clock_monotonic_offset.sec},"nsec":${s.clock_monotonic_offset.nsec}},` +
      `"machine":{"kernel_release":${jsonString(m.kernel_release)},"kernel_version":${jsonString(m.kernel_version)},` +
      `"hardware_name":${jsonString(m.hardware_name)}}`;
    if (s.split_file !== undefined) {
      out += `,"split_file":{"id":${s.split_file.id},"policy":{"kind":"size","limit":${s.split_file.policy.limit}}}`;
    }
    return out + '}';
  },
  format(s, fmt) {
    const sep = fmt.multiLine ? '\n' : ' ';
    const m = s.machine;
    let out = `collected with Retis ${s.retis_version}${sep}on machine ${m.kernel_release} ${m.kernel_version} ${m.hardware_name}`;
    if (s.split_file !== undefined) out += `${sep}file id ${s.split_file.id}`;
    return out + `${sep}cmdline ${s.cmdline}`;
  },
};

/** Every section core registers, in a stable order. */
export const CORE_SECTIONS: readonly SectionDefinition[] = [
  commonSection,
  kernelSection,
  userspaceSection,
  trackingSection,
  startupSection,
];
