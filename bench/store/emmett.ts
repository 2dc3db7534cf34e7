import {
  type SQLiteEventStore,
  getSQLiteEventStore,
  readMessagesBatch,
  schemaSQL,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { APPEND_STREAMS, CORRELATION_ID, EVENT_TYPE, type LineAdded, SEED, lineAdded, streamName } from './common';

/**
 * Emmett 0.38.5's SQLite store (node-sqlite3). Its connection sets only `journal_mode = WAL`, so
 * SQLite's default `synchronous = FULL` applies; the store opens a connection for each operation
 * and closes it after (for a file database), so every append also pays an open and, on the last
 * close, a WAL checkpoint.
 */
export const EMMETT_DURABILITY_NOTE = 'WAL, synchronous=FULL (SQLite default; Emmett sets only journal_mode): survives power loss';

export const openEmmett = (dir: string, name: string): { store: SQLiteEventStore; fileName: string } => {
  const fileName = join(dir, `${name}.db`);
  return { store: getSQLiteEventStore({ fileName }), fileName };
};

type Line = { type: typeof EVENT_TYPE; data: LineAdded; metadata: { correlationId: string } };

const newEvents = (stream: number, from: number, size: number): Line[] => {
  const events: Line[] = new Array(size);
  for (let k = 0; k < size; k++) {
    events[k] = { type: EVENT_TYPE, data: lineAdded(stream, from + k), metadata: { correlationId: CORRELATION_ID } };
  }
  return events;
};

/**
 * Appends with the exact expected stream version (Emmett counts events: 0n = new stream, checked by
 * the insert of the stream row). Only conflict-free work: in 0.38.5 a conflicting append still
 * bumps the stream's position.
 *
 * Now and then its COMMIT fails with SQLITE_BUSY "SQL statements in progress": node-sqlite3's
 * `db.get` calls back before it finalizes the statement, so the `... RETURNING` row read through
 * `querySingle` can still be open when Emmett commits. Emmett rolls back and rethrows; this checks
 * that the stream did not move and retries, and counts those retries.
 */
export const emmettAppender = (store: SQLiteEventStore, streams = APPEND_STREAMS) => {
  const versions = new Array<bigint>(streams).fill(0n);
  const append = async (stream: number, size: number): Promise<void> => {
    const version = versions[stream]!;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await store.appendToStream(streamName(stream), newEvents(stream, Number(version), size), {
          expectedStreamVersion: version,
        });
        versions[stream] = result.nextExpectedStreamVersion;
        return;
      } catch (error) {
        if (attempt === 5 || !isCommitRace(error)) throw error;
        const { currentStreamVersion } = await store.readStream(streamName(stream));
        if (currentStreamVersion !== version) throw error;
        append.commitRaces++;
      }
    }
  };
  append.commitRaces = 0;
  return append;
};

const isCommitRace = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: string }).code === 'SQLITE_BUSY' && error.message.includes('statements in progress');

/**
 * Seeding 1,000,000 events through Emmett's API would take minutes, so the rows are written
 * directly, byte for byte as its appendToStream writes them (checked against rows it wrote), in
 * the same layout as the other subjects.
 */
export const seedEmmett = (fileName: string): void => {
  const db = new Database(fileName);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const statement of schemaSQL) db.exec(statement);
  const insertStream = db.prepare(
    `INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived)
     VALUES (?, ?, '[object Object]', 'Order', '[]', false)`,
  );
  const insertMessage = db.prepare(
    `INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, message_metadata,
       message_schema_version, message_type, message_id, is_archived)
     VALUES (?, ?, 'emt:default', 'E', ?, ?, '0', ?, ?, false)`,
  );
  db.transaction(() => {
    for (let s = 0; s < SEED.streams; s++) {
      const stream = streamName(s);
      insertStream.run(stream, SEED.perStream);
      for (let k = 0; k < SEED.perStream; k++) {
        const messageId = randomUUID();
        const metadata = { streamName: stream, messageId, streamPosition: String(k + 1), correlationId: CORRELATION_ID };
        insertMessage.run(stream, k + 1, JSON.stringify(lineAdded(s, k)), JSON.stringify(metadata), EVENT_TYPE, messageId);
      }
    }
  })();
  db.close();
};

/** `aggregateStream`: Emmett's read-and-fold. */
export const emmettReader = (store: SQLiteEventStore) => async (stream: number): Promise<{ count: number; sum: number }> => {
  let count = 0;
  const { state } = await store.aggregateStream<number, Line>(streamName(stream), {
    initialState: () => 0,
    evolve: (sum: number, event: Line) => {
      count++;
      return sum + event.data.quantity;
    },
  });
  return { count, sum: state };
};

/**
 * Emmett's event store has no read-all; its consumers poll the exported `readMessagesBatch` over a
 * connection of their own, which is what this pages through.
 */
export const emmettReplay = async (fileName: string, batchSize: number): Promise<{ count: number; sum: number }> => {
  const connection = sqliteConnection({ fileName });
  try {
    let after = 0n;
    let count = 0;
    let sum = 0;
    for (;;) {
      const batch = await readMessagesBatch<Line>(connection, { after, batchSize });
      for (const message of batch.messages) sum += message.data.quantity;
      count += batch.messages.length;
      if (!batch.areEventsLeft) return { count, sum };
      after = batch.currentGlobalPosition;
    }
  } finally {
    connection.close();
  }
};
