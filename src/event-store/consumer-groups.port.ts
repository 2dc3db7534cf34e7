import type { EventStore, RecordedEvent } from './event-store.port';

/**
 * Competing consumers: a store that can hand each event of a category to one member of a named
 * group, however many processes join it, and keeps the group's position and its given-up events
 * itself. EventStoreDB offers it (persistent subscriptions); the embedded store does not, and its
 * process managers run on catch-up subscriptions from checkpoints of their own.
 */

/** What a handler is given beside its event. */
export interface HandleContext {
  /**
   * Aborted when the process stops: a handler that waits (on a timer, say) may give up then, by
   * throwing; its event is not acknowledged and comes again after the restart.
   */
  readonly signal: AbortSignal;
}

/** A process manager as the store runs it: a catch-up subscription with its own checkpoint, or a member of the store's consumer group of its name. `handle` must be idempotent: it may see an event again after a crash. */
export interface ProcessManager {
  /** Unique, e.g. `payments-on-orders`: names the group (or, on a catch-up subscription, its durable checkpoint). */
  readonly name: string;
  /** The category it reads (`$ce-<category>`). */
  readonly category: string;
  /** The types it acts on; every other event is acknowledged untouched (only moves the checkpoint). */
  readonly eventTypes: readonly string[];
  handle(event: RecordedEvent, context?: HandleContext): Promise<void>;
  /** Events in hand at once across streams, one stream's one at a time (more for a process manager that waits, like a carrier simulation). */
  readonly maxInFlight?: number;
  /** The longest it keeps an event in hand on purpose (a carrier simulation waits on a timer), so that the store waits that long before re-sending it. */
  readonly maxHoldMs?: number;
}

export interface ConsumerGroupOptions {
  /** In-process retries of a failing handler before its event is parked (the dead letter). */
  readonly retries?: number;
  /** First backoff of those retries; it doubles on each. */
  readonly baseDelayMs?: number;
}

export interface ConsumerGroupStatus {
  readonly name: string;
  readonly category: string;
  /** This process is a confirmed member of the group. */
  readonly joined: boolean;
  /** The group's position as the store last saved it, as a category checkpoint (0n: nothing yet). */
  readonly checkpoint: bigint;
  /** Events of the group that are parked now (every member's). */
  readonly parked: number;
  /** Retries of failing handlers in this process since it started. */
  readonly retries: number;
}

export interface ParkedEvent {
  readonly group: string;
  /** Its place in the group's parked stream: replaying up to it replays it and every older one. */
  readonly parkedRevision: number;
  readonly parkedAt: Date;
  /** Why it was parked (the handler's error, or the store's own reason). */
  readonly reason: string;
  /** The event, if it can still be read. */
  readonly event?: RecordedEvent;
}

export interface ConsumerGroups {
  /** Joins every group, creating the missing ones; returns at once, joining goes on in the background. */
  start(): Promise<void>;
  /** Stops taking events, finishes and acknowledges the ones in hand, leaves the groups. */
  stop(): Promise<void>;
  /** The groups this process is not a confirmed member of (yet, or since its subscription dropped); no store call. */
  joining(): string[];
  status(): Promise<ConsumerGroupStatus[]>;
  parked(): Promise<ParkedEvent[]>;
  /**
   * Asks the store to deliver the group's parked events again, the oldest up to `parkedRevision`
   * included; false if there is no such group. The store replays a parked stream from its start only.
   */
  replayParked(group: string, parkedRevision: number): Promise<boolean>;
}

export interface ConsumerGroupHost {
  /** The groups of these handlers. A group that does not exist yet starts where the handler's catch-up checkpoint left off, or at the start. */
  consumerGroups(handlers: readonly ProcessManager[], options?: ConsumerGroupOptions): ConsumerGroups;
}

export const hostsConsumerGroups = (store: EventStore): store is EventStore & ConsumerGroupHost =>
  typeof (store as Partial<ConsumerGroupHost>).consumerGroups === 'function';
