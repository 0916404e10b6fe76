import type { RetisEvent } from './types';

/** How events are rendered on the console (reference §4). */
export interface DisplayFormat {
  /** multi-line (default) or single-line. */
  multiLine: boolean;
  /** --utc: show wall-clock dates instead of raw monotonic ns. */
  utc: boolean;
  /** -e: print link-layer details. */
  linkLayer: boolean;
  /** CLOCK_REALTIME - CLOCK_MONOTONIC in ns, from the startup event or measured live. */
  monotonicOffset?: bigint;
}

/**
 * What the tool knows about one top-level event key ('skb-drop', 'packet', ...).
 * Core registers its own keys; each collector registers the keys it owns.
 */
export interface SectionDefinition<T = any> {
  /** JSON key, kebab-case. */
  readonly key: string;
  /**
   * Turn the value parsed from JSON (u64 fields already bigint) into the
   * in-memory section. Throws on a malformed value.
   */
  fromJson(value: unknown): T;
  /**
   * The section's JSON text (the value only, without the key). Hot path:
   * written by hand, no JSON.stringify of object trees.
   */
  toJson(section: T): string;
  /** Console text; '' when the section has nothing printable. */
  format?(section: T, fmt: DisplayFormat, event: RetisEvent): string;
}

/** One section of a raw event as read from the ring buffer (reference §3.1). */
export interface RawSection {
  owner: number;
  dataType: number;
  /** Offset of the payload (after the 4-byte header) in the raw event buffer. */
  offset: number;
  /** Payload size in bytes. */
  size: number;
}

/** Turns the raw sections of one owner into event sections (Retis's factories). */
export interface SectionFactory {
  readonly owner: number;
  /**
   * Fill `event` from this owner's sections. `buf` holds the whole raw
   * record (often a whole ring-buffer batch: offsets are absolute).
   * Throws RawSectionError on a size mismatch.
   *
   * `view`, when given, is a DataView over exactly the bytes of `buf`
   * (same byteOffset and length), shared by every record of a batch so
   * that no factory has to create one per section. `sections` and its
   * elements are reused by the parser: do not keep them after the call.
   */
  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void;
}
