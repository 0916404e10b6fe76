/**
 * The INPUT argument of the post-processing commands (reference §1.3):
 * - omitted: `retis.data` if it is a regular file, else `retis.data.0`;
 * - `FILE..`: FILE, then the split files that follow it;
 * - `FILE`: that file only.
 * The first two read split files (rotation-aware); the last does not.
 */
import { statSync } from 'fs';
import { isAbsolute, join } from 'path';

export interface InputFile {
  path: string;
  /** Continue with the following split files. */
  follow: boolean;
}

export const DEFAULT_INPUT = 'retis.data';

/** Paths stay as the user wrote them (for messages) unless another cwd is given. */
function under(cwd: string, file: string): string {
  return isAbsolute(file) || cwd === process.cwd() ? file : join(cwd, file);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Resolve an INPUT argument; throws `No such file or directory` when missing. */
export function resolveInput(arg: string | undefined, cwd = process.cwd()): InputFile {
  if (arg === undefined) {
    const plain = under(cwd, DEFAULT_INPUT);
    const path = isFile(plain) ? plain : `${plain}.0`;
    if (!isFile(path)) throw new Error(`${DEFAULT_INPUT}: No such file or directory`);
    return { path, follow: true };
  }
  const follow = arg.endsWith('..');
  const file = follow ? arg.slice(0, -2) : arg;
  const path = under(cwd, file);
  if (!isFile(path)) throw new Error(`${file}: No such file or directory`);
  return { path, follow };
}
