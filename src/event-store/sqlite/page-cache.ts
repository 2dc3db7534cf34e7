import type { PositionedEvent } from '../event-store.port';

/**
 * The page a subscription read from a category, kept until the end of the current turn of the
 * event loop: the other subscribers of that category, woken by the same commit at the same
 * checkpoint, take it instead of reading and decoding the same rows again. Events are immutable; a
 * page is keyed by the count of commits to its category that this process has seen, so a commit
 * in between is never hidden, and it lives one turn, so another process's appends are not either.
 */
export class PageCache {
  private readonly pages = new Map<string, Promise<PositionedEvent[]>>();
  private clearScheduled = false;

  read(
    category: string,
    commits: number,
    after: bigint | undefined,
    maxCount: number,
    load: () => Promise<PositionedEvent[]>,
  ): Promise<PositionedEvent[]> {
    const key = `${category}\u0000${commits}\u0000${after ?? ''}\u0000${maxCount}`;
    const cached = this.pages.get(key);
    if (cached !== undefined) return cached;
    const page = load();
    this.pages.set(key, page);
    if (!this.clearScheduled) {
      this.clearScheduled = true;
      setImmediate(() => {
        this.clearScheduled = false;
        this.pages.clear();
      });
    }
    return page;
  }
}
