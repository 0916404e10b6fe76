/**
 * Static linking of a generic probe object with collector hook objects
 * (docs/bpf-hooks.md). Hook i of the list lands in slot i: its function is
 * renamed retis_hook_slot<i> in a private copy, then the BPF static linker
 * (`bpftool gen object`, a child process) resolves it over the probe's weak
 * placeholder. The kernel refuses trampolines here, so no freplace.
 */
import { execFile } from 'child_process';
import { mkdtemp, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { errorMessage, RetisError, RetisErrorCode } from '../errors';
import { HOOK_MAX } from './abi';
import { assignHookSlot } from './hook-slot';

export interface LinkOptions {
  /** The bpftool binary; default `bpftool` from PATH. */
  bpftool?: string;
  /** Parent of the private temporary directory; default os.tmpdir(). */
  tmpDir?: string;
  /** Kill bpftool after this long; default 30 s. */
  timeoutMs?: number;
}

export interface LinkedObject {
  /** The linked object, inside a private temporary directory. */
  readonly path: string;
  /** Removes the temporary directory (idempotent). */
  dispose(): Promise<void>;
}

function linkError(message: string): RetisError {
  return new RetisError(message, RetisErrorCode.BpfLoad);
}

/** bpftool's stderr as one line, temp file names replaced by what they stand for. */
function describeFailure(stderr: string, names: ReadonlyMap<string, string>): string {
  let text = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
  for (const [tmp, original] of names) text = text.split(tmp).join(original);
  return text;
}

function run(cmd: string, args: string[], timeout: number): Promise<{ code: number | null; stderr: string; error?: Error }> {
  return new Promise((resolvePromise) => {
    execFile(cmd, args, { timeout, maxBuffer: 1 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolvePromise({ code: 0, stderr: String(stderr) });
      const code = typeof error.code === 'number' ? error.code : null;
      resolvePromise({ code, stderr: String(stderr), error });
    });
  });
}

/**
 * Links `probe` with `hooks` (paths of hook objects, hook i in slot i) and
 * returns the linked object. The caller disposes of it once loaded.
 */
export async function linkProbe(probe: string, hooks: readonly string[], opts: LinkOptions = {}): Promise<LinkedObject> {
  if (hooks.length > HOOK_MAX) {
    throw linkError(`cannot link ${hooks.length} hooks into one probe: at most ${HOOK_MAX}`);
  }
  const bpftool = opts.bpftool ?? 'bpftool';
  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'retis-link-'));
  const dispose = () => rm(dir, { recursive: true, force: true });

  try {
    const names = new Map<string, string>();
    const inputs: string[] = [];
    for (const [slot, hook] of hooks.entries()) {
      let bytes: Buffer;
      try {
        bytes = await readFile(hook);
      } catch (e) {
        throw linkError(`cannot read hook object ${hook}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
      }
      let slotted: Buffer;
      try {
        slotted = assignHookSlot(bytes, slot, hook);
      } catch (e) {
        throw linkError(`invalid hook object: ${errorMessage(e)}`);
      }
      const tmp = join(dir, `slot${slot}-${basename(hook)}`);
      await writeFile(tmp, slotted);
      names.set(tmp, hook);
      inputs.push(tmp);
    }

    const out = join(dir, `linked-${basename(probe)}`);
    const result = await run(bpftool, ['gen', 'object', out, probe, ...inputs], opts.timeoutMs ?? 30_000);
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw linkError(`cannot run ${bpftool}: not found (the BPF static linker comes with Debian's bpftool package)`);
    }
    if (result.code !== 0) {
      const detail = describeFailure(result.stderr, names) || errorMessage(result.error);
      throw linkError(`linking ${basename(probe)} with ${hooks.length} hook(s) failed: ${detail}`);
    }
    // Only the linked object stays until disposed of.
    await Promise.all(inputs.map((f) => rm(f, { force: true })));
    return { path: out, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** Links and returns the linked object's bytes, leaving no file behind. */
export async function linkProbeToBuffer(probe: string, hooks: readonly string[], opts: LinkOptions = {}): Promise<Buffer> {
  const linked = await linkProbe(probe, hooks, opts);
  try {
    return await readFile(linked.path);
  } finally {
    await linked.dispose();
  }
}
