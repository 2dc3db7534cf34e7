import type { ExpectedRevision } from './event-store.port';

/** The stream's last revision, or `no_stream`. */
export type ActualRevision = number | 'no_stream';

export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** An event id that is already stored somewhere other than where this append would put it. */
export class DuplicateEventId extends Error {
  override readonly name = 'DuplicateEventId';

  constructor(
    readonly eventId: string,
    readonly stream: string,
  ) {
    super(`event ${eventId} is already stored in ${stream}`);
  }
}

/** The store cannot be reached or did not answer; the HTTP edge maps it to 503. */
export class EventStoreUnavailable extends Error {
  override readonly name = 'EventStoreUnavailable';
}
