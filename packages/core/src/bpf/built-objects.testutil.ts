/**
 * Paths of the BPF objects built by bpf-common/Makefile in this repository,
 * for the tests that check them. They are not rebuilt here (several test
 * files running make at once would race): build with `pnpm run build:bpf`.
 */
import { existsSync } from 'fs';
import { resolve } from 'path';
import { probeObjectPath } from './abi';

export const REPO_ROOT = resolve(__dirname, '../../../..');

/** Hook objects of the bundled collectors, in the order used by the tests. */
export const BUNDLED_HOOKS = {
  skbTracking: resolve(REPO_ROOT, 'packages/collector-skb-tracking/dist/skb_tracking_hook.bpf.o'),
  skbDrop: resolve(REPO_ROOT, 'packages/collector-skb-drop/dist/skb_drop_hook.bpf.o'),
  skb: resolve(REPO_ROOT, 'packages/collector-skb/dist/skb_hook.bpf.o'),
  dev: resolve(REPO_ROOT, 'packages/collector-dev/dist/dev_hook.bpf.o'),
  ns: resolve(REPO_ROOT, 'packages/collector-ns/dist/ns_hook.bpf.o'),
} as const;

export const RAW_TRACEPOINT_OBJECT = probeObjectPath('rawTracepoint');

/** Throws a one-line hint when an object is missing. */
export function requireBuilt(...paths: string[]): void {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`BPF objects not built (${missing.join(', ')}): run \`pnpm run build:bpf\` first`);
  }
}
