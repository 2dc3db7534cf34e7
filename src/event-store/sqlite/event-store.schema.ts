import type Database from 'better-sqlite3';

/**
 * One row an event; the global position is the integer primary key, so store order is rowid order.
 * Every read is an index range: by stream and revision, by category, by type, by id.
 */
const migrations: readonly string[] = [
  `CREATE TABLE events (
     position    INTEGER PRIMARY KEY,
     id          TEXT    NOT NULL,
     stream      TEXT    NOT NULL,
     category    TEXT    NOT NULL,
     revision    INTEGER NOT NULL,
     type        TEXT    NOT NULL,
     data        TEXT    NOT NULL,
     metadata    TEXT    NOT NULL,
     created_at  INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX events_by_id ON events (id);
   CREATE UNIQUE INDEX events_by_stream ON events (stream, revision);
   CREATE INDEX events_by_category ON events (category, position);
   CREATE INDEX events_by_type ON events (type, position);`,
];

export const migrateEventStore = (db: Database.Database): void => {
  const current = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]!);
    }
    db.pragma(`user_version = ${migrations.length}`);
  })();
};
