import Database from 'better-sqlite3';
import { join } from 'node:path';
import { v7 as uuid } from 'uuid';
import { migrateEventStore } from '../../src/event-store/sqlite/event-store.schema';
import { auditKey } from '../../src/event-store/sqlite/sqlite-audit-index';
import { idOf } from '../../src/event-store/stream-name';
import { CORRELATION_ID, EVENT_TYPE, type LineAdded, SEED, lineAdded, streamName } from './common';

/**
 * The floor: bare better-sqlite3, one connection, WAL, synchronous=NORMAL, a minimal table, no
 * checks. Appends are plain inserts (10 in one transaction for append10); no ids, no metadata.
 */
export const openFloor = (dir: string, name: string): Database.Database => {
  const db = new Database(join(dir, `${name}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, data TEXT NOT NULL)');
  return db;
};

export const floorAppender = (db: Database.Database) => {
  const insert = db.prepare<[string, string]>('INSERT INTO events (stream, data) VALUES (?, ?)');
  const counts = new Map<number, number>();
  const insertMany = db.transaction((stream: number, from: number, size: number) => {
    for (let k = 0; k < size; k++) insert.run(streamName(stream), JSON.stringify(lineAdded(stream, from + k)));
  });
  return async (stream: number, size: number): Promise<void> => {
    const from = counts.get(stream) ?? 0;
    if (size === 1) insert.run(streamName(stream), JSON.stringify(lineAdded(stream, from)));
    else insertMany(stream, from, size);
    counts.set(stream, from + size);
  };
};

/** Same layout as the other subjects: stream by stream, 10 events each; then the (stream, position) index. */
export const seedFloor = (db: Database.Database): void => {
  const insert = db.prepare<[string, string]>('INSERT INTO events (stream, data) VALUES (?, ?)');
  db.transaction(() => {
    for (let s = 0; s < SEED.streams; s++) {
      for (let k = 0; k < SEED.perStream; k++) insert.run(streamName(s), JSON.stringify(lineAdded(s, k)));
    }
  })();
  db.exec('CREATE INDEX events_by_stream ON events (stream, position)');
};

export const floorReader = (db: Database.Database) => {
  const select = db.prepare<[string], { data: string }>('SELECT data FROM events WHERE stream = ? ORDER BY position');
  return async (stream: number): Promise<{ count: number; sum: number }> => {
    const rows = select.all(streamName(stream));
    let sum = 0;
    for (const row of rows) sum += (JSON.parse(row.data) as LineAdded).quantity;
    return { count: rows.length, sum };
  };
};

export const floorReplay = (db: Database.Database): { count: number; sum: number } => {
  let count = 0;
  let sum = 0;
  for (const row of db.prepare<[], { data: string }>('SELECT data FROM events ORDER BY position').iterate()) {
    sum += (JSON.parse(row.data) as LineAdded).quantity;
    count++;
  }
  return { count, sum };
};

/**
 * The indexed floor: bare inserts into the store's own schema (the same table and indexes, made by
 * the store's migrations), with no check, no savepoint and no promise. Not in the summary: it shows
 * how much of the distance to the floor the indexes that the store's reads need take by themselves.
 */
export const openIndexedFloor = (dir: string, name: string): Database.Database => {
  const db = openFloor(dir, name);
  db.exec('DROP TABLE events');
  migrateEventStore(db);
  return db;
};

export const indexedFloorAppender = (db: Database.Database) => {
  const insert = db.prepare<[string, string, string, number, string, string, string, number]>(
    'INSERT INTO events (id, stream, category, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // The audit index's three entries (type, aggregate id, correlation id), bare and inline, where the store adds them in batches.
  const audit = db.prepare<[string, number | bigint]>('INSERT INTO audit_index (key, position) VALUES (?, ?)');
  const metadata = JSON.stringify({ correlationId: CORRELATION_ID });
  const counts = new Map<number, number>();
  const insertOne = (stream: number, revision: number) => {
    const name = streamName(stream);
    const position = insert.run(uuid(), name, 'Order', revision, EVENT_TYPE, JSON.stringify(lineAdded(stream, revision)), metadata, Date.now()).lastInsertRowid;
    audit.run(auditKey('eventType', EVENT_TYPE), position);
    audit.run(auditKey('aggregateId', idOf(name)), position);
    audit.run(auditKey('correlationId', CORRELATION_ID), position);
  };
  const insertMany = db.transaction((stream: number, from: number, size: number) => {
    for (let k = 0; k < size; k++) insertOne(stream, from + k);
  });
  return async (stream: number, size: number): Promise<void> => {
    const from = counts.get(stream) ?? 0;
    if (size === 1) insertOne(stream, from);
    else insertMany(stream, from, size);
    counts.set(stream, from + size);
  };
};
