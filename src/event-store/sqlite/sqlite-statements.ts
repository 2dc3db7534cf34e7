import type Database from 'better-sqlite3';
import type { RecordedEvent, ReplayedEvent } from '../event-store.port';

/**
 * A row as an array, in the order of `columns`: better-sqlite3 builds arrays about twice as fast as
 * objects, which is most of the cost of a replay.
 */
export type EventRow = [
  position: number,
  id: string,
  stream: string,
  revision: number,
  type: string,
  data: string,
  metadata: string,
  createdAt: number,
];

export const eventColumns = 'position, id, stream, revision, type, data, metadata, created_at';
const columns = eventColumns;

export const toRecordedEvent = ([position, id, stream, revision, type, data, metadata, createdAt]: EventRow): RecordedEvent => ({
  id,
  type,
  streamName: stream,
  revision,
  position: BigInt(position),
  data: JSON.parse(data),
  metadata: JSON.parse(metadata),
  createdAt: new Date(createdAt),
});

/** A row of a replay: only the columns a `ReplayedEvent` has. */
export type ReplayRow = [position: number, stream: string, type: string, data: string, createdAt: number, schemaVersion: number | null];

export const toReplayedEvent = ([position, stream, type, data, createdAt, schemaVersion]: ReplayRow): ReplayedEvent => ({
  type,
  streamName: stream,
  position: BigInt(position),
  data: JSON.parse(data),
  createdAt: new Date(createdAt),
  ...(schemaVersion === null ? {} : { schemaVersion }),
});

/** Every statement the adapter runs, prepared once; each one is an index lookup or range. */
export class SqliteStatements {
  readonly insert: Database.Statement<[string, string, string, number, string, string, string, number, number | null]>;
  readonly locateById: Database.Statement<[string], { stream: string; revision: number }>;
  readonly countOfCategoryAfter: Database.Statement<[string, bigint, number], { count: number }>;
  readonly countOfAllAfter: Database.Statement<[bigint, number], { count: number }>;
  readonly streamHead: Database.Statement<[string], { revision: number; position: number; id: string }>;
  readonly streamForwards: Database.Statement<[string, number, number], EventRow>;
  /** The rest of a stream, with no LIMIT: a bound LIMIT costs SQLite several times the lookup itself. */
  readonly streamRest: Database.Statement<[string, number], EventRow>;
  readonly streamBackwards: Database.Statement<[string, number, number], EventRow>;
  readonly allAfter: Database.Statement<[bigint, number], EventRow>;
  readonly categoryAfter: Database.Statement<[string, bigint, number], EventRow>;
  readonly categoryReplay: Database.Statement<[string, bigint, number], ReplayRow>;
  readonly byId: Database.Statement<[string], EventRow>;
  readonly headOfAll: Database.Statement<[], { position: number | null }>;
  readonly headOfCategory: Database.Statement<[string], { position: number | null }>;
  readonly categoryAtOrBefore: Database.Statement<[string, bigint], { position: number | null }>;
  readonly ping: Database.Statement<[], unknown>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO events (id, stream, category, revision, type, data, metadata, created_at, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.locateById = db.prepare('SELECT stream, revision FROM events WHERE id = ?');
    const raw = <Row>(sql: string) => db.prepare(sql).raw(true) as unknown as Database.Statement<never, Row>;
    this.streamHead = db.prepare(
      'SELECT revision, position, id FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
    );
    this.streamForwards = raw(`SELECT ${columns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`);
    this.streamRest = raw(`SELECT ${columns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision`);
    this.streamBackwards = raw(`SELECT ${columns} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`);
    this.allAfter = raw(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    this.categoryAfter = raw(`SELECT ${columns} FROM events WHERE category = ? AND position > ? ORDER BY position LIMIT ?`);
    this.categoryReplay = raw(
      'SELECT position, stream, type, data, created_at, schema_version FROM events WHERE category = ? AND position > ? ORDER BY position LIMIT ?',
    );
    this.byId = raw(`SELECT ${columns} FROM events WHERE id = ?`);
    this.headOfAll = db.prepare('SELECT max(position) AS position FROM events');
    this.headOfCategory = db.prepare('SELECT max(position) AS position FROM events WHERE category = ?');
    this.categoryAtOrBefore = db.prepare('SELECT max(position) AS position FROM events WHERE category = ? AND position <= ?');
    this.countOfCategoryAfter = db.prepare(
      'SELECT count(*) AS count FROM (SELECT 1 FROM events WHERE category = ? AND position > ? LIMIT ?)',
    );
    this.countOfAllAfter = db.prepare('SELECT count(*) AS count FROM (SELECT 1 FROM events WHERE position > ? LIMIT ?)');
    this.ping = db.prepare('SELECT 1');
  }
}
