/**
 * Errors meant for users: one line, no stack, non-zero exit. Anything else
 * reaching the top level is a bug and is reported with its stack.
 *
 * Codes are stable: never renumber or reuse one (docs/error-codes.md).
 */
export enum RetisErrorCode {
  Usage = 1,
  NotRoot = 2,
  UnknownCollector = 3,
  CollectorUnavailable = 4,
  UnknownProbe = 5,
  KernelFeatureMissing = 6,
  InvalidProbe = 7,
  OutputFile = 8,
  InputFile = 9,
  BpfLoad = 10,
  BpfAttach = 11,
  Filter = 12,
  Profile = 13,
  EventsFile = 14,
  Internal = 99,
}

export class RetisError extends Error {
  constructor(message: string, readonly code: RetisErrorCode = RetisErrorCode.Usage, readonly detail?: string) {
    super(message);
    this.name = 'RetisError';
  }
}

export function isRetisError(e: unknown): e is RetisError {
  return e instanceof Error && (e as Error).name === 'RetisError';
}

/** Message of any thrown value, for wrapping. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
