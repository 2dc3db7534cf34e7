import { EventStoreUnavailable } from './errors';
import type { EventQuery } from './event-query.port';
import type { EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/** Answers 503 until a store without an adapter of its own gets one (e.g. a read model on EventStoreDB). */
const notServed: EventQuery = {
  find: () => Promise.reject(new EventStoreUnavailable('this event store does not serve the audit query yet')),
  byId: () => Promise.reject(new EventStoreUnavailable('this event store does not serve the audit query yet')),
};

/** The audit query of the store the system runs on. */
export const eventQueryOf = (store: EventStore): EventQuery =>
  store instanceof SqliteEventStore ? store.eventQuery : notServed;

/** False on a store whose audit query answers 503 (then so do the event streams, which read through it). */
export const servesEventQuery = (query: EventQuery): boolean => query !== notServed;
