import type Database from 'better-sqlite3';
import { auditEntriesOf } from './sqlite-audit-index';

/**
 * One row an event; the global position is the integer primary key, so store order is rowid order.
 * Every read is an index range: by stream and revision, by category, by id; by type, aggregate id
 * and correlation id through `audit_index` and the short tail it has not reached yet. Migrations
 * run in order, each once, recorded in `user_version`.
 */
const migrations: readonly string[] = [
  // v1: the events and the indexes of the store's own reads.
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
  // v2: the audit query (/api/events) by aggregate id and by correlation id. Virtual generated
  // columns: nothing changes in the rows or in the INSERT; only their indexes store the values,
  // computed once per append (and for the rows already there when the index is created).
  `ALTER TABLE events ADD COLUMN aggregate_id TEXT
     GENERATED ALWAYS AS (CASE WHEN instr(stream, '-') > 0 THEN substr(stream, instr(stream, '-') + 1) ELSE '' END) VIRTUAL;
   ALTER TABLE events ADD COLUMN correlation_id TEXT
     GENERATED ALWAYS AS (json_extract(metadata, '$.correlationId')) VIRTUAL;
   CREATE INDEX events_by_aggregate_id ON events (aggregate_id, position);
   CREATE INDEX events_by_correlation_id ON events (correlation_id, position);`,
  // v3: the schema version an event was written with, in a column of its own, so that a replay
  // (which reads no metadata) can upcast it without parsing metadata. NULL for the rows written
  // before it: all of them version 1, as no type had a later version then.
  `ALTER TABLE events ADD COLUMN schema_version INTEGER;`,
  // v4: the audit lookups by type, aggregate id and correlation id move from inline indexes to
  // `audit_index`, which the group commit fills in batches (sqlite-audit-index.ts). The events
  // already stored are indexed here, once. `auditEntriesOf` is the entries' format on disk: a change
  // to it needs a migration of its own.
  `CREATE TABLE audit_index (key TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (key, position)) WITHOUT ROWID;
   CREATE TABLE audit_index_state (only INTEGER PRIMARY KEY CHECK (only = 0), indexed_up_to INTEGER NOT NULL);
   INSERT INTO audit_index (key, position) ${auditEntriesOf('1')};
   INSERT INTO audit_index_state VALUES (0, (SELECT coalesce(max(position), 0) FROM events));
   DROP INDEX events_by_type;
   DROP INDEX events_by_aggregate_id;
   DROP INDEX events_by_correlation_id;`,
];

export const eventStoreSchemaVersion = migrations.length;

/**
 * Brings the schema to the latest version. The version is read inside an immediate (write-locked)
 * transaction, so two processes opening the same file at once cannot both run a migration.
 */
export const migrateEventStore = (db: Database.Database): void => {
  const readVersion = () => db.pragma('user_version', { simple: true }) as number;
  if (readVersion() >= migrations.length) return;
  db.transaction(() => {
    for (let version = readVersion(); version < migrations.length; version++) {
      db.exec(migrations[version]!);
    }
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
};

/** Applies only the first `version` migrations: for tests of an upgrade from an older file. */
export const migrateEventStoreTo = (db: Database.Database, version: number): void => {
  db.transaction(() => {
    for (let at = db.pragma('user_version', { simple: true }) as number; at < version; at++) db.exec(migrations[at]!);
    db.pragma(`user_version = ${version}`);
  }).immediate();
};
