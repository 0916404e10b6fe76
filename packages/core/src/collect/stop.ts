/**
 * What ends a collection: an abort signal (SIGINT/SIGTERM wired by the CLI),
 * the `--cmd` process exiting, or `--stop-after` reaching its count.
 * The first reason wins; `stopped` resolves with it.
 */
import { spawn, type ChildProcess } from 'child_process';

export class StopController {
  private resolveStop!: (reason: string) => void;
  readonly stopped: Promise<string>;
  private done = false;
  private child?: ChildProcess;

  constructor() {
    this.stopped = new Promise((r) => (this.resolveStop = r));
  }

  get isStopped(): boolean {
    return this.done;
  }

  stop(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.resolveStop(reason);
  }

  watchSignal(signal: AbortSignal | undefined): void {
    if (!signal) return;
    if (signal.aborted) this.stop('Received signal, terminating...');
    else signal.addEventListener('abort', () => this.stop('Received signal, terminating...'), { once: true });
  }

  /** Runs `sh -c cmd` with its output discarded; its exit stops the collection. */
  runCommand(cmd: string): void {
    this.child = spawn('sh', ['-c', cmd], { stdio: 'ignore' });
    this.child.on('error', (e) => this.stop(`Command failed to start (${e.message}), terminating ...`));
    this.child.on('exit', (code, sig) => {
      const status = sig ? `signal: ${sig}` : `exit status: ${code}`;
      this.stop(`Command returned (${status}), terminating ...`);
    });
  }
}
