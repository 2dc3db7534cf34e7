import type { CommitSignal } from './commit-signal';
import type { PositionedEvent, Subscription } from './event-store.port';

export type ReadPage = (after: bigint | undefined, maxCount: number) => Promise<PositionedEvent[]>;

export interface CatchUpOptions {
  readonly read: ReadPage;
  readonly signal: CommitSignal;
  readonly after?: bigint;
  readonly pageSize?: number;
  /**
   * How often to look for events that another process appended to the same store; `Infinity` when
   * the signal hears of every commit, so that an idle subscription costs nothing.
   */
  readonly pollIntervalMs?: number;
}

/**
 * History and live events come from one loop that always reads after the last delivered
 * checkpoint, so the switch from history to live can neither skip nor repeat an event: there is no
 * separate live feed to stitch in.
 */
export class CatchUpSubscription implements Subscription {
  private closed = false;
  private wakeOnClose: (() => void) | undefined;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: CatchUpOptions) {
    this.pageSize = options.pageSize ?? 512;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  /**
   * By hand, not an async generator: a page's events are handed out from the array, one settled
   * promise each, where a generator cost several promises and turns per event, for every subscriber.
   */
  [Symbol.asyncIterator](): AsyncIterator<PositionedEvent> {
    const { read, signal } = this.options;
    let after = this.options.after;
    let page: readonly PositionedEvent[] = [];
    let index = 0;
    let seen = 0;
    // The last read found fewer than a page: the next one waits for a commit first.
    let atHead = false;
    let finished = false;
    const end: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const take = (): IteratorYieldResult<PositionedEvent> => {
      const positioned = page[index++]!;
      after = positioned.checkpoint;
      return { done: false, value: positioned };
    };
    // A next() asked for while a page is being read waits for that read, as an async generator's
    // would; kept with no promise of its own, so that the usual one-at-a-time consumer pays nothing.
    let refilling: Promise<IteratorResult<PositionedEvent>> | undefined;
    let reading = false;
    const refill = async (): Promise<IteratorResult<PositionedEvent>> => {
      reading = true;
      try {
        for (;;) {
          if (atHead) {
            await new Promise<void>((resolve) => {
              this.wakeOnClose = resolve;
              void signal.wait(seen, this.pollIntervalMs).then(resolve);
            });
            this.wakeOnClose = undefined;
          }
          if (this.closed || finished) return end;
          seen = signal.count;
          page = await read(after, this.pageSize);
          index = 0;
          atHead = page.length < this.pageSize;
          if (this.closed || finished) return end;
          if (page.length > 0) return take();
        }
      } finally {
        reading = false;
        refilling = undefined;
      }
    };
    const next = (): Promise<IteratorResult<PositionedEvent>> => {
      if (refilling !== undefined) return refilling.then(next);
      if (this.closed || finished) return Promise.resolve(end);
      if (index < page.length) return Promise.resolve(take());
      const refilled = refill();
      // Unless it ended without waiting (and has cleared it already).
      if (reading) refilling = refilled;
      return refilled;
    };
    return {
      next,
      return: () => {
        finished = true;
        return Promise.resolve(end);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeOnClose?.();
  }
}
