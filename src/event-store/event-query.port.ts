import type { RecordedEvent } from './event-store.port';

/**
 * The audit query over the whole store (`GET /api/events`): filters that combine (AND), a cursor,
 * results in store order. Beside the `EventStore` port, not part of it: the embedded store answers
 * it from indexes of its events table; an EventStoreDB deployment can answer it from a read model.
 */
export interface EventFilter {
  readonly eventType?: string;
  /** The stream's id: the part of its name after the first `-`. */
  readonly aggregateId?: string;
  /** The stream's category: the part of its name before the first `-`. */
  readonly aggregateType?: string;
  readonly correlationId?: string;
  /** Exclusive: only events after this global position. */
  readonly after?: bigint;
  /** 1..maxEventPageSize. */
  readonly limit: number;
  /**
   * With filters that combine, the most index entries of the first filter one call reads. Past it,
   * the page ends where the scan stopped: fewer events than `limit` (even none), and a
   * `nextPosition` to go on from. Bounds the work of one request whatever its filters match. (The
   * embedded store applies it to its audit index and, again, to the short unindexed tail after it.)
   */
  readonly scanLimit?: number;
}

export interface EventPage {
  /** The events that match, in store order, at most `limit`. */
  readonly events: RecordedEvent[];
  /** Where the next page starts (pass it as `after`): null once nothing after it can match. */
  readonly nextPosition: bigint | null;
}

export const maxEventPageSize = 1000;

/** `GET /api/events` reads at most this many index entries per request (see `EventFilter.scanLimit`). */
export const eventScanLimit = 10_000;

export interface EventQuery {
  find(filter: EventFilter): Promise<EventPage>;
  byId(eventId: string): Promise<RecordedEvent | undefined>;
}
