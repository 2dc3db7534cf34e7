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

  async *[Symbol.asyncIterator](): AsyncIterator<PositionedEvent> {
    const { read, signal } = this.options;
    let after = this.options.after;
    while (!this.closed) {
      const seen = signal.count;
      const page = await read(after, this.pageSize);
      for (const positioned of page) {
        if (this.closed) return;
        yield positioned;
        after = positioned.checkpoint;
      }
      if (page.length < this.pageSize && !this.closed) {
        await new Promise<void>((resolve) => {
          this.wakeOnClose = resolve;
          void signal.wait(seen, this.pollIntervalMs).then(resolve);
        });
        this.wakeOnClose = undefined;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeOnClose?.();
  }
}
