/**
 * Probe target patterns (reference §7.1): `*` matches any run of characters
 * and the whole name must match.
 *
 * The reference turns `*` into `.*` and leaves every other character to the
 * regex engine, so `ip_rcv.core` also matches `ip_rcvXcore` there and a `+`
 * or `(` breaks the pattern. Here every other character matches itself
 * (docs/probes.md).
 */

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*');
}

export function wildcardRegExp(pattern: string): RegExp {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** Names of `names` matching `pattern`, sorted. */
export function matchWildcard(pattern: string, names: Iterable<string>): string[] {
  const re = wildcardRegExp(pattern);
  const out: string[] = [];
  for (const name of names) if (re.test(name)) out.push(name);
  return out.sort();
}
