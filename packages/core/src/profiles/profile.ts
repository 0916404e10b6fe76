/**
 * A profile: named bundles of command-line arguments for the subcommands
 * that accept them, each bundle guarded by conditions on the running kernel
 * (reference §8.1). Files hold the YAML form; this is what it parses into.
 */
import type { ApiVersion } from './api-version';
import type { KernelVersionReq } from './kernel-version';

/** Subcommands whose argv a profile can extend, and the YAML keys of their sections. */
export const PROFILE_SUBCOMMANDS = ['collect', 'pcap'] as const;
export type ProfileSubcommand = (typeof PROFILE_SUBCOMMANDS)[number];

/** Section name used when a section has none; not shown when applied. */
export const DEFAULT_SECTION_NAME = 'Default';

export type ProfileCondition =
  | { type: 'version'; requirement: KernelVersionReq }
  /** `name` is `group:event` for a tracepoint, a function name otherwise. */
  | { type: 'symbol'; name: string; exists: boolean };

/** `key: value` → `--key value`; `key: [a, b]` → `--key a --key b`; `key: ~` → `--key`. */
export type ProfileArgValue =
  | { kind: 'single'; value: string }
  | { kind: 'sequence'; values: string[] }
  | { kind: 'flag' };

export interface SubcommandProfile {
  name: string;
  when: ProfileCondition[];
  /** In file order; emitted sorted by key. */
  args: Map<string, ProfileArgValue>;
}

export interface Profile {
  name: string;
  /** The `version` text as written (`1.0`), and its parsed form. */
  versionText: string;
  version: ApiVersion;
  about?: string;
  /** Sections per subcommand, in file order: the first whose conditions hold applies. */
  sections: Partial<Record<ProfileSubcommand, SubcommandProfile[]>>;
  /** File the profile was read from. */
  source: string;
}
