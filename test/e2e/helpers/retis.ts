/**
 * Running the real CLI from the tests, as a user would: a child process of
 * the built `retis`, with its stdout, stderr and exit status.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');
export const RETIS = path.join(ROOT, 'packages/cli/lib/bin.js');

export interface RetisResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs retis to completion (bounded by `timeoutMs`). */
export function runRetis(args: string[], opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): RetisResult {
  const r = spawnSync(process.execPath, [RETIS, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, ...opts.env },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Fails unless retis exited with 0, showing the end of its stderr: a bare
 * status mismatch would hide why (a verifier log, an error line).
 */
export function expectExit0(r: { status: number | null; signal?: NodeJS.Signals | null; stderr: string }): void {
  if (r.status === 0) return;
  const tail = r.stderr.trim().split('\n').slice(-8).join('\n');
  throw new Error(`exited with ${r.status ?? r.signal}, stderr ends with:\n${tail}`);
}

export interface RunningRetis {
  child: ChildProcess;
  /** Resolves when stderr shows `N probe(s) loaded`. */
  ready: Promise<void>;
  /** Sends the signal and resolves with the result once it exited. */
  stop(signal?: NodeJS.Signals): Promise<RetisResult>;
  done: Promise<RetisResult>;
}

/** Starts retis in the background, for collections stopped by a signal. */
export function startRetis(args: string[], opts: { cwd?: string; readyTimeoutMs?: number } = {}): RunningRetis {
  const child = spawn(process.execPath, [RETIS, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const done = new Promise<RetisResult>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`retis not ready after ${opts.readyTimeoutMs ?? 30_000} ms:\n${stderr}`)), opts.readyTimeoutMs ?? 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/\d+ probe\(s\) loaded/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void done.then((r) => {
      clearTimeout(timer);
      reject(new Error(`retis exited before being ready (status ${r.status}):\n${r.stderr}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child, ready, done,
    async stop(signal: NodeJS.Signals = 'SIGINT') {
      child.kill(signal);
      return done;
    },
  };
}

/** Names of loaded BPF programs (bpftool prog show). */
export function loadedProgramNames(): string[] {
  const out = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  const progs = JSON.parse(out.stdout || '[]') as { name?: string }[];
  return progs.map((p) => p.name ?? '');
}
