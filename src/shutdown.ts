import type { Logger } from 'pino';

export interface ShutdownOptions {
  /**
   * Past this after the signal, the orderly stop is given up and the process exits 1: CONTRACT §5
   * gives a stop 10 s, and this leaves a margin for the exit itself.
   */
  readonly exitAfterMs?: number;
  readonly exit?: (code: number) => void;
  /** Where the signals come from (the process; an emitter in tests). */
  readonly signals?: NodeJS.EventEmitter;
}

type Level = 'info' | 'warn' | 'error';

/**
 * How the process ends: on SIGTERM or SIGINT it stops what has been started by then and exits 0
 * once that is done, or 1 if the stop failed or has not finished within `exitAfterMs`. It listens
 * before anything starts, so a signal during start-up stops cleanly too: the stop then waits for
 * the step of the start-up in progress, and the start-up starts nothing more. A second signal
 * changes nothing (the deadline holds either way).
 */
export class Shutdown {
  private readonly exitAfterMs: number;
  private readonly exit: (code: number) => void;
  private readonly signals: NodeJS.EventEmitter;
  private stopper: () => Promise<void> = async () => undefined;
  private signal: string | undefined;
  /** A failure started the stop, or came during it: the exit says so. */
  private failed = false;
  private logger: Logger | undefined;

  constructor(options: ShutdownOptions = {}) {
    this.exitAfterMs = options.exitAfterMs ?? 9000;
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.signals = options.signals ?? process;
  }

  listen(): this {
    for (const signal of ['SIGTERM', 'SIGINT']) this.signals.on(signal, () => this.begin(signal));
    // A failure nothing handled: logged with its cause, then the same orderly stop, ending in exit 1
    // (Node's own policy would exit at once, with no stop, or, for a rejection, leave work stalled).
    for (const failure of ['unhandledRejection', 'uncaughtException']) {
      this.signals.on(failure, (error: unknown) => this.begin(failure, error));
    }
    return this;
  }

  /** Logs through it from now on (before: one line to stderr). */
  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  /** What a stop stops from now on; each stage of the start-up names itself, the earlier stages included. */
  stopWith(stop: () => Promise<void>): void {
    this.stopper = stop;
  }

  /** A signal came: the start-up must start nothing more. */
  get requested(): boolean {
    return this.signal !== undefined;
  }

  private begin(signal: string, failure?: unknown): void {
    if (failure !== undefined) this.log('error', { err: failure, failure: signal }, 'a failure nothing handled; stopping');
    if (this.signal !== undefined) {
      if (failure !== undefined) this.failed = true;
      else this.log('info', { signal }, 'already stopping');
      return;
    }
    this.signal = signal;
    this.failed = failure !== undefined;
    const started = performance.now();
    const elapsedMs = () => Math.round(performance.now() - started);
    this.log('info', { signal }, 'shutting down');
    const deadline = setTimeout(() => {
      this.log('error', { signal, exitAfterMs: this.exitAfterMs }, 'the orderly stop did not finish in time; exiting without it');
      this.exit(1);
    }, this.exitAfterMs);
    this.stopper().then(
      () => {
        clearTimeout(deadline);
        this.log('info', { signal, stopMs: elapsedMs() }, 'stopped');
        this.exit(this.failed ? 1 : 0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        this.log('error', { signal, err: error, stopMs: elapsedMs() }, 'shutdown failed');
        this.exit(1);
      },
    );
  }

  private log(level: Level, fields: Record<string, unknown>, message: string): void {
    if (this.logger !== undefined) this.logger[level](fields, message);
    else process.stderr.write(`${message} ${JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? value.message : value))}\n`);
  }
}
