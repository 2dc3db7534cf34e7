export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs: number;
  /** Ceiling, ms. */
  readonly maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 100, maxMs: 5000 };

/**
 * Exponential backoff with "equal jitter": the delay for `attempt` (0-based) is between half and all
 * of `initialMs · 2^attempt`, capped at `maxMs`. The jitter spreads the resubscriptions of many
 * subscriptions (and many instances) after one server restart.
 */
export const backoffDelay = (attempt: number, options: BackoffOptions = defaultBackoff, random: () => number = Math.random): number => {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
};

/** A sleep that `wake()` ends early (used so that `close()` does not wait out a backoff). */
export class Pause {
  private wakeCurrent: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeCurrent === done) this.wakeCurrent = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeCurrent = done;
    });
  }

  wake(): void {
    this.wakeCurrent?.();
  }
}
