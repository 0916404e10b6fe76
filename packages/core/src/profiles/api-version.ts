/**
 * The profile API version (`version: 1.0`), `X.Y`: a profile with the same
 * major and a minor up to ours is fully supported; a higher minor only
 * adds things we can ignore; another major may mean something else, so such
 * a profile is not applied.
 */

export interface ApiVersion {
  major: number;
  minor: number;
}

/** The profile API this implementation speaks. */
export const PROFILE_API_VERSION: ApiVersion = { major: 1, minor: 0 };

export type ApiSupport = 'full' | 'partial' | 'unsupported';

export function parseApiVersion(text: string): ApiVersion {
  if (text === '') throw new Error('Text is empty');
  const parts = text.split('.');
  if (parts.length > 2) throw new Error('Too many numeric values. Only two (X.Y) are supported');
  if (parts.length < 2) throw new Error('Too few numeric values. Two values (X.Y) must be provided');
  const [major, minor] = parts.map((p, i) => {
    if (!/^\d+$/.test(p)) throw new Error(`Failed to parse ${i === 0 ? 'major' : 'minor'} version number: '${p}' is not a number`);
    return Number(p);
  });
  return { major, minor };
}

export function apiSupport(profile: ApiVersion, ours: ApiVersion = PROFILE_API_VERSION): ApiSupport {
  if (profile.major !== ours.major) return 'unsupported';
  return profile.minor <= ours.minor ? 'full' : 'partial';
}

export function formatApiVersion(v: ApiVersion): string {
  return `${v.major}.${v.minor}`;
}
