/**
 * Raw events from the ring buffer (reference §3.1): `u16 size` then `size`
 * bytes of sections, each `{u8 owner; u8 data_type; u16 size}` + payload,
 * host byte order. The parser checks the framing, groups the sections by
 * owner and hands each group to that owner's SectionFactory.
 *
 * Hot path: one call per event, no closure, no Buffer slicing; the
 * RawSection objects are reused from call to call.
 */
import { LITTLE_ENDIAN } from './layout';
import { RawSectionError } from './raw-error';
import type { RawSection, SectionFactory } from './section';
import type { RetisEvent } from './types';

export { RawSectionError } from './raw-error';

/** Where the parser reports what it skips. */
export type RawLogger = (msg: string) => void;

const EVENT_HEADER = 2;
const SECTION_HEADER = 4;
/** At most one warning per kind of problem per interval. */
const WARN_INTERVAL_MS = 1000;

/** The factories by owner id, plus the parser's reusable scratch state. */
export class FactoryTable {
  readonly byOwner: (SectionFactory | undefined)[] = new Array<SectionFactory | undefined>(256).fill(undefined);
  /** Sections of the event being parsed, per owner (a fresh array per event and owner). */
  readonly groups: (RawSection[] | undefined)[] = new Array<RawSection[] | undefined>(256).fill(undefined);
  /** Owners seen in the event being parsed, in first-seen order: seen[0, seenCount). */
  readonly seen = new Uint8Array(256);
  seenCount = 0;
  private readonly pool: RawSection[] = [];
  private poolUsed = 0;
  private readonly lastWarn = new Map<string, { at: number; suppressed: number }>();

  constructor(
    factories: readonly SectionFactory[],
    private readonly log: RawLogger = () => {},
  ) {
    for (const f of factories) this.add(f);
  }

  add(factory: SectionFactory): void {
    const owner = factory.owner;
    if (!Number.isInteger(owner) || owner < 1 || owner > 255) {
      throw new RangeError(`Invalid section owner id ${owner} (expected 1-255)`);
    }
    if (this.byOwner[owner] !== undefined) throw new Error(`Two section factories for owner ${owner}`);
    this.byOwner[owner] = factory;
  }

  /** Start a new event: forget the previous one's sections. */
  reset(): void {
    // New arrays rather than `length = 0`, which is a slow runtime call.
    for (let i = 0; i < this.seenCount; i++) this.groups[this.seen[i]] = undefined;
    this.seenCount = 0;
    this.poolUsed = 0;
  }

  push(owner: number, dataType: number, offset: number, size: number): void {
    let s = this.pool[this.poolUsed];
    if (s === undefined) {
      s = { owner, dataType, offset, size };
      this.pool.push(s);
    } else {
      s.owner = owner;
      s.dataType = dataType;
      s.offset = offset;
      s.size = size;
    }
    this.poolUsed++;
    const group = this.groups[owner];
    if (group === undefined) {
      this.groups[owner] = [s];
      this.seen[this.seenCount++] = owner;
    } else {
      group.push(s);
    }
  }

  /** Rate-limited warning: the first of a kind, then at most one per second with a count. */
  warn(kind: string, msg: string): void {
    const now = Date.now();
    const last = this.lastWarn.get(kind);
    if (last !== undefined && now - last.at < WARN_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    const suffix = last !== undefined && last.suppressed > 0 ? ` (${last.suppressed} similar message(s) suppressed)` : '';
    this.lastWarn.set(kind, { at: now, suppressed: 0 });
    this.log(msg + suffix);
  }
}

/**
 * Decode the raw event at `buf[offset, offset+length)` into `event` (which
 * is returned). Throws RawSectionError on a malformed event or section;
 * skips (with a rate-limited warning) empty sections and unknown owners.
 * `view` is an optional DataView over `buf` shared by a whole batch.
 */
export function parseRawEvent(
  buf: Buffer,
  offset: number,
  length: number,
  factories: FactoryTable,
  event: RetisEvent = {},
  view?: DataView,
): RetisEvent {
  if (length < EVENT_HEADER) throw new RawSectionError(`Raw event too short (${length} byte(s))`);
  if (offset < 0 || offset + length > buf.length) {
    throw new RawSectionError(`Raw event [${offset}, ${offset + length}) is outside the buffer (${buf.length} bytes)`);
  }
  const size = LITTLE_ENDIAN ? buf[offset] | (buf[offset + 1] << 8) : (buf[offset] << 8) | buf[offset + 1];
  if (size === 0) throw new RawSectionError('Raw event is empty');
  if (size + EVENT_HEADER > length) {
    throw new RawSectionError(`Raw event size ${size} exceeds the record (${length - EVENT_HEADER} byte(s) of data)`);
  }

  factories.reset();
  const end = offset + EVENT_HEADER + size;
  let pos = offset + EVENT_HEADER;
  while (pos < end) {
    if (pos + SECTION_HEADER > end) {
      factories.warn('truncated-header', `Raw event: section header at byte ${pos - offset} runs past the event end; rest ignored`);
      break;
    }
    const owner = buf[pos];
    const dataType = buf[pos + 1];
    const secSize = LITTLE_ENDIAN ? buf[pos + 2] | (buf[pos + 3] << 8) : (buf[pos + 2] << 8) | buf[pos + 3];
    const payload = pos + SECTION_HEADER;
    if (payload + secSize > end) {
      factories.warn(
        'truncated-section',
        `Raw event: section (owner ${owner}, data type ${dataType}) of ${secSize} byte(s) runs past the event end; rest ignored`,
      );
      break;
    }
    pos = payload + secSize;
    if (secSize === 0) {
      factories.warn('empty-section', `Raw event: empty section (owner ${owner}, data type ${dataType}) skipped`);
      continue;
    }
    if (factories.byOwner[owner] === undefined) {
      factories.warn(`owner-${owner}`, `Raw event: unknown section owner ${owner} skipped`);
      continue;
    }
    factories.push(owner, dataType, payload, secSize);
  }

  const seen = factories.seen;
  for (let i = 0; i < factories.seenCount; i++) {
    const owner = seen[i];
    (factories.byOwner[owner] as SectionFactory).decode(buf, factories.groups[owner] as RawSection[], event, view);
  }
  return event;
}
