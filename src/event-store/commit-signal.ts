/**
 * Tells waiting subscriptions that something was committed. The counter lets a reader that found
 * nothing new check, without a race, whether a commit happened since it started reading.
 */
export class CommitSignal {
  private commits = 0;
  private waiters: Array<() => void> = [];

  get count(): number {
    return this.commits;
  }

  notify(): void {
    this.commits++;
    // A copy: each wake() takes itself out of the list, which would skip its neighbour mid-iteration.
    const waiters = [...this.waiters];
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next commit after `seen`, at once if there was one already, or after `timeoutMs` (never when infinite). */
  wait(seen: number, timeoutMs: number): Promise<void> {
    if (this.commits !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(wake, timeoutMs) : undefined;
      timer?.unref();
      const waiters = this.waiters;
      function wake(): void {
        clearTimeout(timer);
        const index = waiters.indexOf(wake);
        if (index !== -1) waiters.splice(index, 1);
        resolve();
      }
      this.waiters.push(wake);
    });
  }
}
