import { DuplicateEventId, WrongExpectedVersion } from '../errors';
import type { AppendResult, ExpectedRevision, NewEvent } from '../event-store.port';
import { categoryOf } from '../stream-name';
import type { SqliteStatements } from './sqlite-statements';

export interface AppendRequest {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly afterEventId: string | undefined;
}

/**
 * One append's rows, inside the caller's transaction: the expected-revision check, then one insert
 * per event. The ids are looked up only when they may tell a retry apart: when the check fails (a
 * retried append that did commit finds the stream moved past it) or an insert hits the unique id
 * index (`answerForStoredIds`); a first append, nearly every one, costs no id lookup.
 */
export const appendRows = (statements: SqliteStatements, request: AppendRequest): AppendResult => {
  const { stream, events, expected, afterEventId } = request;
  const head = statements.streamHead.get(stream);
  const actual = head === undefined ? 'no_stream' : head.revision;
  if (!satisfies(expected, actual) || (afterEventId !== undefined && head?.id !== afterEventId)) {
    const stored = events[0] === undefined ? undefined : statements.locateById.get(events[0].id);
    if (stored !== undefined) return alreadyAppended(statements, stream, events, expected, stored);
    throw new WrongExpectedVersion(stream, expected, actual);
  }
  if (events.length === 0) {
    return { nextExpectedRevision: head?.revision ?? -1, position: BigInt(head?.position ?? 0) };
  }
  const category = categoryOf(stream);
  const createdAt = Date.now();
  let revision = head?.revision ?? -1;
  let position: number | bigint = 0;
  for (const event of events) {
    revision++;
    position = statements.insert.run(
      event.id,
      stream,
      category,
      revision,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(event.metadata ?? {}),
      createdAt,
      typeof event.metadata?.schemaVersion === 'number' ? event.metadata.schemaVersion : null,
    ).lastInsertRowid;
  }
  return { nextExpectedRevision: revision, position: BigInt(position) };
};

/**
 * After an insert hit the unique id index (and its rows were undone): a retry of an append stored
 * at this place answers as the first did; the same ids anywhere else are refused. Throws the
 * port's error for the append.
 */
export const answerForStoredIds = (statements: SqliteStatements, request: AppendRequest, error: unknown): AppendResult => {
  const { stream, events, expected } = request;
  // Undefined when the first event is new and a later one's id is stored: refused as a duplicate.
  const stored = events[0] === undefined ? undefined : statements.locateById.get(events[0].id);
  if (stored === undefined) throw asAppendError(error, request);
  return alreadyAppended(statements, stream, events, expected, stored);
};

/** A retried append of events already stored at that place succeeds again without writing, as on EventStoreDB. */
const alreadyAppended = (
  statements: SqliteStatements,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  stored: { stream: string; revision: number },
): AppendResult => {
  if (stored.stream !== stream) throw new DuplicateEventId(events[0]!.id, stored.stream);
  const exact = expected === 'no_stream' ? -1 : typeof expected === 'number' ? expected : undefined;
  if (exact !== undefined && stored.revision !== exact + 1) {
    // EventStoreDB checks ids only at the place the expected revision names: elsewhere it would store them again.
    const head = statements.streamHead.get(stream);
    if (head !== undefined && head.revision === exact) throw new DuplicateEventId(events[0]!.id, `${stream}@${stored.revision}`);
    throw new WrongExpectedVersion(stream, expected, head?.revision ?? 'no_stream');
  }
  const rows = statements.streamForwards.all(stream, stored.revision, events.length);
  const same = rows.length === events.length && rows.every((row, index) => row[1] === events[index]!.id);
  if (!same) {
    const head = statements.streamHead.get(stream);
    throw new WrongExpectedVersion(stream, expected, head?.revision ?? 'no_stream');
  }
  const [position, , , revision] = rows[rows.length - 1]!;
  return { nextExpectedRevision: revision, position: BigInt(position) };
};

const satisfies = (expected: ExpectedRevision, actual: number | 'no_stream'): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
};

/** A unique-id violation as the port's error; anything else as it came. */
export const asAppendError = (error: unknown, { events }: AppendRequest): Error => {
  if (isUniqueIdViolation(error)) {
    return new DuplicateEventId(events.map((event) => event.id).join(', '), 'another place in the store');
  }
  return error instanceof Error ? error : new Error(String(error));
};

/**
 * Read from its fields, not `instanceof`: better-sqlite3's native part builds its errors from the
 * class it was first loaded with, which is not this realm's in a test runner that reloads modules.
 */
export const isUniqueIdViolation = (error: unknown): boolean => {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('events.id');
};
