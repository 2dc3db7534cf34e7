import type Database from 'better-sqlite3';
import type { Snapshot, SnapshotStore } from '../event-store.port';

interface Row {
  readonly revision: number;
  readonly version: number;
  readonly state: string;
}

/** One row per stream in the events database, overwritten by each newer snapshot. */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly selectStatement: Database.Statement<[string], Row>;
  private readonly upsertStatement: Database.Statement<[string, number, number, string]>;
  private readonly deleteStatement: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS stream_snapshots (
      stream TEXT PRIMARY KEY, revision INTEGER NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL
    ) WITHOUT ROWID`);
    this.selectStatement = db.prepare('SELECT revision, version, state FROM stream_snapshots WHERE stream = ?');
    this.upsertStatement = db.prepare(
      `INSERT INTO stream_snapshots (stream, revision, version, state) VALUES (?, ?, ?, ?)
       ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, version = excluded.version, state = excluded.state
       WHERE excluded.revision > stream_snapshots.revision OR excluded.version <> stream_snapshots.version`,
    );
    this.deleteStatement = db.prepare('DELETE FROM stream_snapshots WHERE stream = ?');
  }

  async load(stream: string): Promise<Snapshot | undefined> {
    const row = this.selectStatement.get(stream);
    return row === undefined ? undefined : { revision: row.revision, version: row.version, state: JSON.parse(row.state) as unknown };
  }

  async save(stream: string, { revision, version, state }: Snapshot): Promise<void> {
    this.upsertStatement.run(stream, revision, version, JSON.stringify(state));
  }

  async delete(stream: string): Promise<void> {
    this.deleteStatement.run(stream);
  }
}
