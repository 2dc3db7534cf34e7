import type { RecordedEvent } from '../../event-store.port';

/**
 * Where a process manager's events come from, and who decides that one is done. Two sources, one
 * handler shape (structurally the same as `src/shared/process-managers/reaction.ts`'s `Reaction`, so
 * a `Reaction` is a `ReactionHandler`; declared here because the store must not import the shared
 * layer that builds on it):
 *
 * - `catch-up` (the embedded store, and EventStoreDB with a single instance): `ReactionRunner` reads
 *   `EventStore.subscribe` from its own checkpoint; the process owns position, retries and the
 *   SQLite dead-letter table. Two instances would each handle every event.
 * - `consumer-group` (EventStoreDB, any number of instances): `PersistentReactionConsumer` joins a
 *   persistent subscription (consumer group) named after the reaction on `$ce-<Category>`. The
 *   server owns the position, hands each event to one member of the group, takes acks, re-sends
 *   what was not acknowledged in time (a member that crashed), and parks what we give up on in the
 *   group's parked-message stream, which is the dead-letter store in this mode.
 *
 * Choosing between them is the composition root's job (issue 5 / process managers): in
 * `EVENT_STORE=eventstoredb` mode bind `PersistentReactionConsumer` for every reaction instead of
 * `ReactionRunner`, and `ParkedMessages` behind the dead-letter admin routes.
 */
export type SubscriptionMode = 'catch-up' | 'consumer-group';

export interface ReactionHandler {
  readonly name: string;
  readonly category: string;
  readonly eventTypes: readonly string[];
  handle(event: RecordedEvent): Promise<void>;
  readonly maxInFlight?: number;
}

export interface ReactionConsumer {
  start(): Promise<void>;
  /** Stops taking events, lets the ones in hand finish and be acknowledged. */
  stop(): Promise<void>;
}
