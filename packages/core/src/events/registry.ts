/**
 * What the tool knows about each top-level event key, and the event <-> JSON
 * line conversion built on it.
 *
 * Writing follows the reference's key order (§3.2), then every other key in
 * the order the event holds them. Keys nobody registered (a newer tool's
 * section, a collector not installed here) are kept as parsed JSON on
 * reading and written back unchanged by the generic writer.
 */
import { applyFixups, type CompatLevel, LATEST_COMPAT } from './compat';
import { CORE_SECTIONS } from './core-sections';
import { type JsonValue, parseJson, writeJson } from './json';
import type { SectionDefinition } from './section';
import type { EventSeries, RetisEvent } from './types';

/** Top-level keys in the order the reference writes them. */
export const EVENT_KEY_ORDER: readonly string[] = [
  'common',
  'kernel',
  'userspace',
  'tracking',
  'skb-tracking',
  'skb-drop',
  'packet',
  'skb',
  'netns',
  'dev',
  'ovs',
  'ovs-detrace',
  'nft',
  'ct',
  'startup',
];

/** A line that is valid JSON but not a valid event. */
export class EventFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventFormatError';
  }
}

interface Slot {
  readonly key: string;
  /** `"key":` ready to concatenate. */
  readonly prefix: string;
  /** `,"key":`, for every section but the first (one piece, not two). */
  readonly commaPrefix: string;
  /** `{"key":`, for the first. */
  readonly openPrefix: string;
  def: SectionDefinition | undefined;
}

export class SectionRegistry {
  private readonly defs = new Map<string, { def: SectionDefinition; origin: string }>();
  /** Canonical keys first, then registered extra keys; rank = index. */
  private readonly slots: Slot[] = [];
  private readonly rank = new Map<string, number>();
  private readonly canonicalCount: number;

  constructor() {
    for (const key of EVENT_KEY_ORDER) this.addSlot(key);
    this.canonicalCount = this.slots.length;
  }

  /** Register a key's definition; a key can be registered once. */
  register(def: SectionDefinition, origin = 'unknown'): this {
    const existing = this.defs.get(def.key);
    if (existing !== undefined) {
      throw new Error(`Section "${def.key}" is registered twice: by ${existing.origin} and by ${origin}`);
    }
    this.defs.set(def.key, { def, origin });
    const rank = this.rank.get(def.key) ?? this.addSlot(def.key);
    this.slots[rank].def = def;
    return this;
  }

  registerAll(defs: readonly SectionDefinition[], origin = 'unknown'): this {
    for (const def of defs) this.register(def, origin);
    return this;
  }

  get(key: string): SectionDefinition | undefined {
    return this.defs.get(key)?.def;
  }

  has(key: string): boolean {
    return this.defs.has(key);
  }

  /** Registered keys, in writing order. */
  keys(): string[] {
    return this.slots.filter((s) => s.def !== undefined).map((s) => s.key);
  }

  /** The event's JSON text, one line without the trailing newline. */
  eventToJson(event: RetisEvent): string {
    // Mark the canonical keys present, then write them in canonical order;
    // every other key follows in the order the event holds them.
    const slots = this.slots;
    const canonical = this.canonicalCount;
    let present = 0; // bitmask over canonical ranks (15 of them)
    let others: string[] | undefined;
    for (const key in event) {
      const v = event[key];
      if (v === undefined || v === null) continue;
      const r = this.rank.get(key);
      if (r !== undefined && r < canonical) present |= 1 << r;
      else (others ??= []).push(key);
    }
    let out = '';
    for (let r = 0; present !== 0; r++, present >>>= 1) {
      if ((present & 1) === 0) continue;
      const slot = slots[r];
      const v = event[slot.key];
      out += (out.length > 0 ? slot.commaPrefix : slot.openPrefix) + (slot.def !== undefined ? slot.def.toJson(v) : writeJson(v));
    }
    if (out.length === 0) out = '{';
    if (others !== undefined) {
      for (const key of others) {
        const r = this.rank.get(key);
        const def = r !== undefined ? slots[r].def : undefined;
        const v = event[key];
        out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + (def !== undefined ? def.toJson(v) : writeJson(v));
      }
    }
    return out + '}';
  }

  /** A series as written by `sort -o`: one JSON array. */
  seriesToJson(series: EventSeries): string {
    let out = '[';
    for (let i = 0; i < series.length; i++) out += (i > 0 ? ',' : '') + this.eventToJson(series[i]);
    return out + ']';
  }

  /** Parse one events-file line holding an event object. */
  eventFromJson(line: string, compat: CompatLevel = LATEST_COMPAT): RetisEvent {
    return this.eventFromValue(parseJson(line), compat);
  }

  /** Parse one sorted-file line holding a series (a JSON array of events). */
  seriesFromJson(line: string, compat: CompatLevel = LATEST_COMPAT): EventSeries {
    const value = parseJson(line);
    if (!Array.isArray(value)) throw new EventFormatError('Expected a series (a JSON array of events)');
    return value.map((v) => this.eventFromValue(v, compat));
  }

  /** Build an event from a parsed JSON value (fix-ups applied first when needed). */
  eventFromValue(value: JsonValue, compat: CompatLevel = LATEST_COMPAT): RetisEvent {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new EventFormatError('Expected an event (a JSON object)');
    }
    if (compat < LATEST_COMPAT) applyFixups(value, compat);
    const event: RetisEvent = {};
    for (const key in value) {
      const v = value[key];
      // serde reads a null section as an absent one.
      if (v === null) continue;
      const def = this.defs.get(key)?.def;
      if (def === undefined) {
        // A `__proto__` key must stay data, not become the event's prototype.
        if (key === '__proto__') Object.defineProperty(event, key, { value: v, enumerable: true, writable: true, configurable: true });
        else event[key] = v;
        continue;
      }
      try {
        event[key] = def.fromJson(v);
      } catch (e) {
        throw new EventFormatError(`Invalid "${key}" section: ${(e as Error).message}`);
      }
    }
    return event;
  }

  private addSlot(key: string): number {
    const rank = this.slots.length;
    const prefix = JSON.stringify(key) + ':';
    this.slots.push({ key, prefix, commaPrefix: ',' + prefix, openPrefix: '{' + prefix, def: undefined });
    this.rank.set(key, rank);
    return rank;
  }
}

/** A registry holding core's own sections (common, kernel, userspace, tracking, startup). */
export function createCoreRegistry(): SectionRegistry {
  return new SectionRegistry().registerAll(CORE_SECTIONS, '@retis/core');
}
