// Argument checks run before any native call, so that misuse fails with a
// TypeError('Usage: ...') naming the expected signature.

export function usage(signature: string): TypeError {
  return new TypeError(`Usage: ${signature}`);
}

export function isUint(value: unknown, max = 0xffffffff): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

export function isFd(value: unknown): value is number {
  return isUint(value, 0x7fffffff);
}

export function isU64(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= 0n && value < 1n << 64n;
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !value.includes('\0');
}

export function isOptions(value: unknown): value is Record<string, unknown> | undefined {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/** Throws `usage(signature)` unless every check holds. */
export function check(signature: string, ...checks: boolean[]): void {
  if (checks.some((ok) => !ok)) throw usage(signature);
}
