/**
 * How the probes of a collection map onto program loads:
 *
 * - raw tracepoints: one load for all of them, the probe id as attach
 *   cookie; on kernels without raw tracepoint cookies, one load per
 *   tracepoint with the id in the `ksym` rodata. The program loads from its
 *   context the arguments every tracepoint it serves has (`nargs`, the
 *   smallest count) and copies the others (raw_tracepoint.bpf.c); the
 *   tracepoints without arguments get a load of their own, so that the others
 *   keep their first argument as a plain load;
 * - kprobes, kretprobes: one load each for all their functions (pt_regs
 *   reads do not depend on the function), ids as cookies, attached through
 *   one kprobe.multi link where the kernel has them;
 * - fentry, fexit: one load per function (a tracing program is verified
 *   against its target), id in rodata.
 *
 * Probe ids are 1, 2, ... in the order of the probes given.
 */
import type { KernelFeatures } from '@retis/bpf-native';
import { MAX_ARGS, PROBE_MAX, type ProbeKind as ObjectKind } from '../bpf/abi';
import { RetisError, RetisErrorCode } from '../errors';
import type { ResolvedProbe } from '../kernel/inspector';
import { probeKey } from './spec';

export interface PlannedProbe {
  id: bigint;
  probe: ResolvedProbe;
  /** `kprobe:fn`, `tp:group:event`. */
  key: string;
}

export interface LoadUnit {
  object: ObjectKind;
  /** libbpf object name (shows in map names). */
  name: string;
  /**
   * The `nargs` rodata. fentry, fexit: the function's arguments. Raw
   * tracepoints: the arguments every tracepoint of the load has.
   */
  nargs: number;
  /** The probe id when the program serves one probe; 0 when ids come as cookies. */
  ksym: bigint;
  /** Raw tracepoints attached with the id as cookie. */
  cookies: boolean;
  /** kprobes and kretprobes attached through kprobe.multi links. */
  multi: boolean;
  /** fentry/fexit target function. */
  attachTarget?: string;
  probes: PlannedProbe[];
}

export const OBJECT_OF_KIND: Readonly<Record<ResolvedProbe['kind'], ObjectKind>> = {
  raw_tracepoint: 'rawTracepoint',
  kprobe: 'kprobe',
  kretprobe: 'kretprobe',
  fentry: 'fentry',
  fexit: 'fexit',
};

/** Program roles (PROBE_OBJECTS[object].programs) a unit loads. */
export function unitPrograms(unit: Pick<LoadUnit, 'object' | 'multi'>): string[] {
  switch (unit.object) {
    case 'kprobe':
      return [unit.multi ? 'multi' : 'main'];
    case 'kretprobe':
      return unit.multi ? ['multi', 'entryMulti'] : ['main', 'entry'];
    default:
      return ['main'];
  }
}

export function planLoads(probes: readonly ResolvedProbe[], features: KernelFeatures): LoadUnit[] {
  const units: LoadUnit[] = [];
  const shared = new Map<string, LoadUnit>();
  // Probe ids index config_map; id 0 is never used.
  if (probes.length >= PROBE_MAX) {
    throw new RetisError(`${probes.length} probes requested: at most ${PROBE_MAX - 1} can be installed at once`, RetisErrorCode.InvalidProbe);
  }
  let nextId = 1n;
  for (const probe of probes) {
    const planned: PlannedProbe = { id: nextId++, probe, key: probeKey({ kind: probe.kind, target: probe.symbol }) };
    const object = OBJECT_OF_KIND[probe.kind];
    const nargs = probe.params.length;
    const tracing = object === 'fentry' || object === 'fexit';
    // kprobes read registers; the others read up to twelve argument slots.
    if (object !== 'kprobe' && object !== 'kretprobe' && nargs > MAX_ARGS) {
      throw new RetisError(`${planned.key} has ${nargs} arguments: at most ${MAX_ARGS} are supported`, RetisErrorCode.InvalidProbe);
    }
    let group: string | undefined;
    let unit: LoadUnit = {
      object, name: '', nargs: tracing ? nargs : 0, ksym: 0n, cookies: false, multi: false, probes: [],
    };
    if (object === 'rawTracepoint') {
      unit.cookies = features.rawTracepointCookie;
      unit.nargs = nargs;
      if (unit.cookies) group = nargs > 0 ? 'tp' : 'tp0';
      else unit.ksym = planned.id;
      unit.name = !unit.cookies ? `retis_tp_${planned.id}` : nargs > 0 ? 'retis_tp' : 'retis_tp0';
    } else if (object === 'kprobe' || object === 'kretprobe') {
      group = object;
      unit.multi = features.kprobeMulti;
      unit.name = `retis_${object}`;
    } else {
      unit.ksym = planned.id;
      unit.attachTarget = probe.attachName;
      unit.name = `retis_${object}${planned.id}`;
    }
    if (group !== undefined) {
      const existing = shared.get(group);
      if (existing) {
        existing.nargs = Math.min(existing.nargs, unit.nargs);
        unit = existing;
      }
      else {
        shared.set(group, unit);
        units.push(unit);
      }
    } else {
      units.push(unit);
    }
    unit.probes.push(planned);
  }
  return units;
}
