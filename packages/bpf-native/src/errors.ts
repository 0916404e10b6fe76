import { constants } from 'os';

import type { BpfErrorShape } from './api';

/**
 * Thrown by every native operation that fails. The addon receives this class
 * through `initialize()` and constructs it itself, so `instanceof BpfError`
 * holds for errors coming from C++ as well.
 */
export class BpfError extends Error implements BpfErrorShape {
  readonly code: string;
  readonly errno: number;
  readonly op: string;
  readonly libbpfLog?: string;

  constructor(message: string, code: string, errno: number, op: string, libbpfLog?: string) {
    super(message);
    this.name = 'BpfError';
    this.code = code;
    this.errno = errno;
    this.op = op;
    if (libbpfLog !== undefined) this.libbpfLog = libbpfLog;
  }

  /** A BpfError for a condition detected in TypeScript, e.g. a missing program. */
  static of(code: keyof typeof constants.errno, op: string, message: string): BpfError {
    return new BpfError(message, code, constants.errno[code], op);
  }
}
