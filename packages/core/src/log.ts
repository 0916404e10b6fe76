/**
 * Logging, as the reference prints it: to stderr, info lines bare at the
 * default level, `WARN  `/`ERROR ` tags always, every tag and a UTC time
 * prefix at debug and trace.
 */
import chalk from 'chalk';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };
const COLOUR: Record<LogLevel, chalk.Chalk> = {
  error: chalk.red, warn: chalk.yellow, info: chalk.blue, debug: chalk.cyan, trace: chalk.white,
};

export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  trace(msg: string): void;
}

export interface LogSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class ConsoleLogger implements Logger {
  private readonly rank: number;
  private readonly colour: boolean;

  constructor(readonly level: LogLevel = 'info', private readonly sink: LogSink = process.stderr) {
    this.rank = RANK[level];
    const term = process.env.TERM;
    this.colour = !!sink.isTTY && !!term && term !== 'dumb';
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] <= this.rank;
  }

  error(msg: string): void { this.log('error', msg); }
  warn(msg: string): void { this.log('warn', msg); }
  info(msg: string): void { this.log('info', msg); }
  debug(msg: string): void { this.log('debug', msg); }
  trace(msg: string): void { this.log('trace', msg); }

  private log(level: LogLevel, msg: string): void {
    if (RANK[level] > this.rank) return;
    const verbose = this.rank >= RANK.debug;
    let prefix = '';
    if (verbose) prefix = `${utcTime()} `;
    if (verbose || RANK[level] <= RANK.warn) {
      const tag = level.toUpperCase().padEnd(5) + ' ';
      prefix += this.colour ? COLOUR[level](tag) : tag;
    }
    this.sink.write(`${prefix}${msg}\n`);
  }
}

/** A logger that drops everything (embedding, tests). */
export const silentLogger: Logger = {
  level: 'error',
  enabled: () => false,
  error() {}, warn() {}, info() {}, debug() {}, trace() {},
};

function utcTime(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  // Microsecond digits: Date only has milliseconds, the reference prints six.
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000`;
}
