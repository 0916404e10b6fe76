/** Version strings. */
import { RETIS_FORMAT_VERSION } from '@retis/core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string };

export const VERSION = pkg.version;

/** `retis -V`: our version, and the Retis release whose formats we speak. */
export function versionString(): string {
  return `${VERSION} (compatible with Retis ${RETIS_FORMAT_VERSION})`;
}
