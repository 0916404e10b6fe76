/**
 * `when` conditions of profile sections, checked against the running kernel
 * (reference §8.1). Every condition of a section must hold; the first
 * section whose conditions all hold is the one applied.
 */
import { kernelVersionMatches, parseKernelRelease, type KernelVersion } from './kernel-version';
import type { ProfileCondition, SubcommandProfile } from './profile';

/** What conditions ask of the kernel; the CLI answers from BTF, tracefs and kallsyms. */
export interface KernelFacts {
  /** `uname -r`. */
  release(): string;
  /** Whether `group:event` (tracepoint) or a function name resolves as a probe target would. */
  symbolExists(name: string): boolean;
}

export class ConditionChecker {
  private version?: KernelVersion;

  constructor(private readonly facts: KernelFacts) {}

  holds(cond: ProfileCondition): boolean {
    if (cond.type === 'version') {
      this.version ??= parseKernelRelease(this.facts.release());
      return kernelVersionMatches(cond.requirement, this.version);
    }
    return this.facts.symbolExists(cond.name) === cond.exists;
  }

  /** The first section whose conditions all hold (checked in order, stopping at the first failing one). */
  select(sections: readonly SubcommandProfile[]): SubcommandProfile | undefined {
    return sections.find((s) => s.when.every((c) => this.holds(c)));
  }
}
