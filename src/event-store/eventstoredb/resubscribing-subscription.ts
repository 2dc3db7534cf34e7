import type { ReadableSubscription } from '@eventstore/db-client';
import type { PositionedEvent, Subscription } from '../event-store.port';
import { backoffDelay, defaultBackoff, Pause, type BackoffOptions } from './backoff';
import { silentLogger, type StoreLogger } from './client';
import type { LinkStep } from './resolved-event';

export interface ResubscribeOptions<Item> {
  /** For logs: `$all` or `$ce-Order`. */
  readonly source: string;
  /** Opens the client's catch-up subscription to resume just after `after` (from the start when undefined). */
  readonly open: (after: bigint | undefined) => ReadableSubscription<Item>;
  /** Reads one item of the client's subscription: its checkpoint, and the event to deliver if any. */
  readonly step: (item: Item) => LinkStep | undefined;
  readonly after?: bigint;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly logger?: StoreLogger;
  readonly onClose?: () => void;
}

/**
 * A catch-up subscription over the client's, which does not survive a dropped connection, a server
 * restart or a leader change by itself: its readable stream errors (or just ends), and that is all.
 * This one then opens a new client subscription from the checkpoint of the last event it delivered,
 * after an exponential, jittered backoff (100 ms doubling to 5 s by default; reset by the next event
 * that arrives).
 *
 * Events are taken from the client's stream with `for await`, one at a time: the next is read only
 * when our consumer asks for it, so a slow consumer holds the stream (backpressure) instead of
 * piling events up in `on('data')` handlers. Anything at or before the last delivered checkpoint is
 * skipped, so a resubscription never delivers an event twice, whichever way the server treats the
 * start position.
 */
export class ResubscribingSubscription<Item> implements Subscription {
  private closed = false;
  private current: ReadableSubscription<Item> | undefined;
  private readonly pause = new Pause();
  private readonly logger: StoreLogger;
  /** How many times the client's subscription was opened again after it dropped. */
  resubscriptions = 0;

  constructor(private readonly options: ResubscribeOptions<Item>) {
    this.logger = options.logger ?? silentLogger;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PositionedEvent> {
    let after = this.options.after;
    let failures = 0;
    while (!this.closed) {
      const source = this.options.open(after);
      this.current = source;
      let failure: unknown;
      try {
        for await (const item of source as AsyncIterable<Item>) {
          if (this.closed) break;
          const step = this.options.step(item);
          if (step === undefined || (after !== undefined && step.checkpoint <= after)) continue;
          failures = 0;
          after = step.checkpoint;
          if (step.positioned !== undefined) yield step.positioned;
          if (this.closed) break;
        }
      } catch (error) {
        failure = error;
      } finally {
        if (this.current === source) this.current = undefined;
        source.unsubscribe().catch(() => undefined);
      }
      if (this.closed) return;
      const delayMs = backoffDelay(failures++, this.options.backoff ?? defaultBackoff, this.options.random);
      this.resubscriptions++;
      this.logger.warn(
        {
          source: this.options.source,
          after: after?.toString(),
          delayMs,
          err: failure,
        },
        failure === undefined ? 'subscription ended unexpectedly; resubscribing' : 'subscription dropped; resubscribing',
      );
      await this.pause.sleep(delayMs);
    }
  }

  /** Ends the iteration: at once when waiting for events or in a backoff, or after the event in hand. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause.wake();
    const current = this.current;
    if (current !== undefined) {
      const unsubscribed = current.unsubscribe().catch(() => undefined);
      current.destroy();
      await unsubscribed;
    }
    this.options.onClose?.();
  }
}
