/**
 * Timestamps on the console. Events carry CLOCK_MONOTONIC nanoseconds; with
 * `--utc` they are shifted by the collection's CLOCK_REALTIME -
 * CLOCK_MONOTONIC offset and printed as `%Y-%m-%d %H:%M:%S.%6f` (the
 * fraction truncated to microseconds, as the reference does).
 */

const NS_PER_SEC = 1_000_000_000n;

/** Offset in ns from the startup event's `clock_monotonic_offset`. */
export function monotonicOffsetNs(offset: { sec: bigint; nsec: bigint }): bigint {
  return offset.sec * NS_PER_SEC + offset.nsec;
}

/** `2025-03-18 23:12:45.860103` for a wall-clock time in ns since the epoch. */
export function formatUtcNs(wallNs: bigint): string {
  let sec = wallNs / NS_PER_SEC;
  let nsec = wallNs % NS_PER_SEC;
  if (nsec < 0n) {
    nsec += NS_PER_SEC;
    sec -= 1n;
  }
  const d = new Date(Number(sec) * 1000);
  if (Number.isNaN(d.getTime())) return String(wallNs);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.` +
    pad(Number(nsec / 1000n), 6)
  );
}

/** The event time as printed: raw ns, or the UTC date when asked and known. */
export function formatEventTime(timestamp: bigint, utc: boolean, offsetNs: bigint | undefined): string {
  if (!utc || offsetNs === undefined) return timestamp.toString();
  return formatUtcNs(timestamp + offsetNs);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
