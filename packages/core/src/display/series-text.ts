/**
 * Console text of a series (a sorted file's line, reference §4.3): the
 * first event as usual, each following one at indent 4 with `↳` in column
 * 2 of its first line; each event ends with a newline and the series with
 * one more. A startup event inside the series updates the clock offset used
 * by `--utc` from there on.
 */
import type { SectionRegistry } from '../events/registry';
import type { DisplayFormat } from '../events/section';
import type { EventSeries } from '../events/types';
import { formatEvent } from './event-text';
import { monotonicOffsetNs } from './time';

export const SERIES_ITEM = '↳';

/** The series' text including its final blank line, '' if nothing prints. */
export function formatSeries(series: EventSeries, registry: SectionRegistry, fmt: DisplayFormat): string {
  let out = '';
  let first = true;
  for (const event of series) {
    if (event.startup !== undefined) fmt.monotonicOffset = monotonicOffsetNs(event.startup.clock_monotonic_offset);
    const text = first ? formatEvent(event, registry, fmt) : formatEvent(event, registry, fmt, 4, SERIES_ITEM);
    if (text.length === 0) continue;
    out += text + '\n';
    first = false;
  }
  return out.length > 0 ? out + '\n' : '';
}
