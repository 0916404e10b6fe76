/** A Logger that keeps what it is told, per level, for assertions. */
import type { Logger, LogLevel } from '../../log';

export type RecordingLog = Logger & { lines: Record<LogLevel, string[]> };

export function recordingLog(): RecordingLog {
  const lines: Record<LogLevel, string[]> = { error: [], warn: [], info: [], debug: [], trace: [] };
  return {
    level: 'trace',
    lines,
    enabled: () => true,
    error: (m) => lines.error.push(m),
    warn: (m) => lines.warn.push(m),
    info: (m) => lines.info.push(m),
    debug: (m) => lines.debug.push(m),
    trace: (m) => lines.trace.push(m),
  };
}
