import { RetisError, RetisErrorCode } from '../../errors';

/** A meta filter the user must fix: one line, prefixed `meta filter: `. */
export class MetaFilterError extends RetisError {
  constructor(detail: string) {
    super(`meta filter: ${detail}`, RetisErrorCode.Filter);
  }
}
