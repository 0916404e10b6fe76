/**
 * Shared plumbing of every command: the context handed in by main (never
 * `process` directly, so commands can be embedded and tested), and the error
 * policy: a user error is one line on stderr and a non-zero exit.
 */
import type { Readable, Writable } from 'stream';
import { Command } from 'clipanion';
import { isRetisError, errorMessage, type Logger } from '@retis/core';
import type { Runtime } from '../runtime';

export interface RetisCommandContext {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  colorDepth: number;
  runtime: Runtime;
}

export abstract class RetisCommand extends Command<RetisCommandContext> {
  protected get log(): Logger {
    return this.context.runtime.logger;
  }

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (e) {
      if (isRetisError(e) || (e as { clipanion?: { type?: string } })?.clipanion?.type === 'usage') {
        this.context.stderr.write(`Error: ${errorMessage(e)}\n`);
        return 1;
      }
      // Not a user error: a bug. Keep the stack to report it.
      this.context.stderr.write(`Error: ${(e as Error)?.stack ?? String(e)}\n`);
      return 70;
    }
  }

  protected abstract run(): Promise<number>;
}
