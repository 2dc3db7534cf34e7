import type { RecordedEvent } from '../../event-store/event-store.port';

/**
 * A process manager's subscription: the events of one category, handled by a module that reacts to
 * another module's facts. `handle` must be idempotent: it may see an event again after a crash.
 */
export interface Reaction {
  /** Unique; names the durable checkpoint, e.g. `payments-on-orders`. */
  readonly name: string;
  /** The category it subscribes to (`$ce-<category>`). */
  readonly category: string;
  /** The event types it acts on; others only move its checkpoint. */
  readonly eventTypes: readonly string[];
  handle(event: RecordedEvent): Promise<void>;
  /** How many events it may have in hand at once across streams (more for a reaction that waits, like a carrier simulation). */
  readonly maxInFlight?: number;
  /** The longest it keeps an event in hand on purpose (a carrier simulation waits on a timer); a consumer group waits that long before re-sending. */
  readonly maxHoldMs?: number;
}
