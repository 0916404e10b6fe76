/** Versions: our own, and the Retis release whose files and text we match. */
export const RETIS_FORMAT_VERSION = '1.7.0';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const TOOL_VERSION: string = (require('../package.json') as { version: string }).version;
