/**
 * The startup event that opens every events file: which tool wrote it, the
 * command line, the machine, and the CLOCK_REALTIME - CLOCK_MONOTONIC offset
 * that `--utc` needs to turn event timestamps into dates.
 */
import { machine, release, version } from 'os';
import { performance } from 'perf_hooks';
import type { RetisEvent, StartupSection } from './types';

/**
 * The Retis version written in files. Readers (Retis itself, its Python
 * library, this tool) pick their compatibility fix-ups from it, so it names
 * the reference's format version; `+...` carries our own version, which
 * readers strip before comparing.
 */
export const EVENTS_FORMAT_VERSION = 'v1.7.0';

/** CLOCK_MONOTONIC now, in ns (what bpf_ktime_get_ns returns). */
export function monotonicNow(): bigint {
  return process.hrtime.bigint();
}

/** CLOCK_REALTIME - CLOCK_MONOTONIC, as the reference's TimeSpec. */
export function measureMonotonicOffset(): { sec: bigint; nsec: bigint } {
  // performance.timeOrigin + now() is the wall clock with sub-microsecond
  // resolution (Date.now() only has milliseconds, and --utc prints micros).
  const mono = process.hrtime.bigint();
  const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const offset = wallNs - mono;
  return { sec: offset / 1_000_000_000n, nsec: offset % 1_000_000_000n };
}

export interface StartupInfo {
  /** Defaults to EVENTS_FORMAT_VERSION. */
  retisVersion?: string;
  cmdline: string;
  /** Defaults to a fresh measure. */
  clockMonotonicOffset?: { sec: bigint; nsec: bigint };
}

/** The startup section for this machine (uname -r, -v, -m). */
export function createStartupSection(info: StartupInfo): StartupSection {
  return {
    retis_version: info.retisVersion ?? EVENTS_FORMAT_VERSION,
    cmdline: info.cmdline,
    clock_monotonic_offset: info.clockMonotonicOffset ?? measureMonotonicOffset(),
    machine: { kernel_release: release(), kernel_version: version(), hardware_name: machine() },
  };
}

/** `{"common":{"timestamp":...},"startup":{...}}` */
export function startupEvent(startup: StartupSection, timestamp: bigint = monotonicNow()): RetisEvent {
  return { common: { timestamp }, startup };
}
