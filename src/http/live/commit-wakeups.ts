import type { Logger } from 'pino';
import { CommitSignal } from '../../event-store/commit-signal';
import type { EventStore, Subscription } from '../../event-store/event-store.port';

/**
 * Wakes the open event streams when something they may show is committed. One subscription to
 * `$all` (from the head at the first stream) hears every commit, and rings the signal of each
 * order (correlation id) that has a stream open, and the signal of the whole log. A stream never
 * takes its events from here, only the news that there are some: it reads them itself, after the
 * last one it sent, so a wake-up that comes early, late or twice can neither lose nor repeat one.
 * An order with nothing happening costs its stream nothing.
 */
export class CommitWakeups {
  /** Rung at every event: for streams of the whole log, whatever their filters. */
  readonly all = new CommitSignal();
  private readonly byCorrelation = new Map<string, { readonly signal: CommitSignal; refs: number }>();
  private started: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private closed = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger,
  ) {}

  /** Resolves once every commit from now on rings its signals (the first call starts listening). */
  ready(): Promise<void> {
    this.started ??= (async () => {
      const head = await this.store.headCheckpoint({ kind: 'all' });
      if (this.closed) return;
      this.done = this.listen(head);
    })();
    return this.started;
  }

  /** The signal of one order's events; give it back with `release` when its stream closes. */
  ofCorrelation(correlationId: string): CommitSignal {
    let entry = this.byCorrelation.get(correlationId);
    if (entry === undefined) {
      entry = { signal: new CommitSignal(), refs: 0 };
      this.byCorrelation.set(correlationId, entry);
    }
    entry.refs++;
    return entry.signal;
  }

  release(correlationId: string): void {
    const entry = this.byCorrelation.get(correlationId);
    if (entry !== undefined && --entry.refs === 0) this.byCorrelation.delete(correlationId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscription?.close();
    await this.done;
  }

  private async listen(after: bigint): Promise<void> {
    let checkpoint = after;
    while (!this.closed) {
      const subscription = this.store.subscribe({ to: { kind: 'all' }, after: checkpoint });
      this.subscription = subscription;
      try {
        for await (const positioned of subscription) {
          checkpoint = positioned.checkpoint;
          const correlationId = positioned.event.metadata.correlationId;
          if (typeof correlationId === 'string') this.byCorrelation.get(correlationId)?.signal.notify();
          this.all.notify();
        }
      } catch (error) {
        if (this.closed) return;
        this.logger.warn({ err: error }, 'the event streams lost their commit feed; listening again in 1 s');
        // Whatever it missed meanwhile, every stream reads again when it comes back.
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
        for (const { signal } of this.byCorrelation.values()) signal.notify();
        this.all.notify();
      } finally {
        await subscription.close();
      }
    }
  }
}
