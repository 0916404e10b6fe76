import { existsSync } from 'fs';
import { join } from 'path';

export interface LoadOptions {
  /** Explicit path of a compiled bpf_native.node; skips the search. */
  nativeBinding?: string;
}

/** Where the addon is looked for, in order (this file lives in src/ or lib/). */
export function bindingCandidates(packageRoot = join(__dirname, '..')): string[] {
  return [
    join(packageRoot, 'build', 'Release', 'bpf_native.node'),
    join(packageRoot, 'build', 'Debug', 'bpf_native.node'),
  ];
}

/**
 * Loads the compiled addon, or says every path it tried. Its exports are typed
 * by native.d.ts, which index.ts applies (the raw surface is not public).
 */
export function loadNativeBinding(options: LoadOptions = {}): unknown {
  const candidates = options.nativeBinding !== undefined ? [options.nativeBinding] : bindingCandidates();
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      `@retis/bpf-native: compiled addon not found (tried ${candidates.join(', ')}); ` +
        'build it with `pnpm --filter @retis/bpf-native run build`',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(found) as unknown;
}
