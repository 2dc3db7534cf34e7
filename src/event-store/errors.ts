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
  override readonly name: string = 'EventStoreUnavailable';
}

/** The store has more appends waiting than it takes in; this one was refused before it was queued. Try again shortly. */
export class EventStoreOverloaded extends EventStoreUnavailable {
  override readonly name = 'EventStoreOverloaded';
}

/**
 * SQLite's answers that clear by themselves: another connection holds the lock (BUSY, LOCKED), the
 * disk failed an I/O or is full for now (IOERR, FULL). Extended codes (SQLITE_IOERR_WRITE, …) count too.
 */
const transientSqliteCode = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM)(_|$)/;

/**
 * True for a store error that a retry can outlive: the store is unreachable, overloaded, or hit one
 * of SQLite's passing conditions. Anything else (a rejected event, a bug, a corrupt row) is not: it
 * fails again however often it is tried.
 */
export const isTransientStoreError = (error: unknown): boolean => {
  if (error instanceof EventStoreUnavailable) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && transientSqliteCode.test(code);
};
