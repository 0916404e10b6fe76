/**
 * Console text of one event (reference §4.2):
 *
 *   line 1   common, kernel (or userspace), tracking (or skb-tracking), skb-drop
 *   +4       the kernel stack trace
 *   +2       packet, netns, dev (on the netns line), skb, ovs, ovs-detrace,
 *            nft, ct, startup, then sections of other registered keys
 *
 * Sections are separated by a newline (multi-line) or a space (single-line)
 * and only appear when their formatter prints something; sections without
 * a formatter (unregistered keys) are left out and the rest still prints.
 */
import { formatStackTrace } from '../events/core-sections';
import { EVENT_KEY_ORDER, type SectionRegistry } from '../events/registry';
import type { DisplayFormat } from '../events/section';
import type { RetisEvent } from '../events/types';
import { TextBlock } from './text-block';

const BODY_KEYS = ['skb', 'ovs', 'ovs-detrace', 'nft', 'ct', 'startup'];
const CANONICAL = new Set(EVENT_KEY_ORDER);

/** Text of one section, '' when absent or not printable. */
export function sectionText(registry: SectionRegistry, event: RetisEvent, key: string, fmt: DisplayFormat): string {
  const value = event[key];
  if (value === undefined || value === null) return '';
  const def = registry.get(key);
  return def?.format !== undefined ? def.format(value, fmt, event) : '';
}

/**
 * The event's text without a trailing newline. `level` and `item` place it
 * inside a series (level 4, marker `↳`).
 */
export function formatEvent(
  event: RetisEvent,
  registry: SectionRegistry,
  fmt: DisplayFormat,
  level = 0,
  item?: string,
): string {
  const block = new TextBlock(item);
  const sep = fmt.multiLine ? '\n' : ' ';

  let line = sectionText(registry, event, 'common', fmt);
  line = join(line, sectionText(registry, event, 'kernel', fmt) || sectionText(registry, event, 'userspace', fmt));
  line = join(line, sectionText(registry, event, 'tracking', fmt) || sectionText(registry, event, 'skb-tracking', fmt));
  line = join(line, sectionText(registry, event, 'skb-drop', fmt));
  block.add(level, line);
  // Without a first line (no common section), the body must not start with a separator.
  let started = line.length > 0;

  const kernel = event.kernel;
  if (kernel !== undefined && kernel.stack_trace !== undefined && kernel.stack_trace.length > 0) {
    block.add(level + 4, (started ? sep : '') + formatStackTrace(kernel.stack_trace, fmt));
    started = true;
  }

  const body = level + 2;
  const add = (text: string, separator = sep): void => {
    if (text.length === 0) return;
    block.add(body, (started ? separator : '') + text);
    started = true;
  };
  add(sectionText(registry, event, 'packet', fmt));
  const netns = sectionText(registry, event, 'netns', fmt);
  add(netns);
  add(sectionText(registry, event, 'dev', fmt), netns.length > 0 ? ' ' : sep);
  for (const key of BODY_KEYS) add(sectionText(registry, event, key, fmt));
  for (const key in event) {
    if (!CANONICAL.has(key)) add(sectionText(registry, event, key, fmt));
  }
  return block.toString();
}

function join(line: string, part: string): string {
  if (part.length === 0) return line;
  return line.length === 0 ? part : line + ' ' + part;
}
