/**
 * Checks used by the sections' `fromJson`: each takes a value parsed by
 * parseJson and the field's path (for the message), and returns the typed
 * value or throws SectionValueError. JSON `null` counts as absent for the
 * optional variants, as serde reads `Option` fields.
 */

/** A section value that does not match the schema. */
export class SectionValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SectionValueError';
  }
}

const U64_MAX = 0xffffffffffffffffn;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 32 ? v.slice(0, 32) + '...' : v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function fail(path: string, expected: string, v: unknown): never {
  throw new SectionValueError(`${path}: expected ${expected}, got ${describe(v)}`);
}

export function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Record<string, unknown>;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

export function optStr(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, path);
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'a boolean', v);
  return v;
}

/** Unsigned integer of `bits` bits (<= 32) as a number. */
export function uint(v: unknown, path: string, bits = 32): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** bits) return v;
  return fail(path, `u${bits}`, v);
}

export function optUint(v: unknown, path: string, bits = 32): number | undefined {
  return v === undefined || v === null ? undefined : uint(v, path, bits);
}

/** Signed integer of `bits` bits (<= 32) as a number. */
export function int(v: unknown, path: string, bits = 32): number {
  const half = 2 ** (bits - 1);
  if (typeof v === 'number' && Number.isInteger(v) && v >= -half && v < half) return v;
  return fail(path, `i${bits}`, v);
}

/** u64, always a bigint in memory whatever its magnitude. */
export function u64(v: unknown, path: string): bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  } else if (typeof v === 'bigint') {
    if (v >= 0n && v <= U64_MAX) return v;
  }
  return fail(path, 'u64', v);
}

export function optU64(v: unknown, path: string): bigint | undefined {
  return v === undefined || v === null ? undefined : u64(v, path);
}

/** i64 as a bigint. */
export function i64(v: unknown, path: string): bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return BigInt(v);
  } else if (typeof v === 'bigint') {
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return v;
  }
  return fail(path, 'i64', v);
}

export function strArray(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) fail(path, 'an array of strings', v);
  for (let i = 0; i < v.length; i++) str(v[i], `${path}[${i}]`);
  return v as string[];
}
