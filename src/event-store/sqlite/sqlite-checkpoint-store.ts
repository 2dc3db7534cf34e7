import type Database from 'better-sqlite3';
import type { CheckpointStore } from '../event-store.port';

/**
 * Checkpoints in a table of the same SQLite database as the data they describe: a read model calls
 * `saveSync` inside the transaction that writes its rows, so state and checkpoint commit together.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly selectStatement: Database.Statement<[string], { checkpoint: number | bigint }>;
  private readonly upsertStatement: Database.Statement<[string, bigint]>;

  constructor(db: Database.Database, table: string) {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`invalid checkpoint table name ${table}`);
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (name TEXT PRIMARY KEY, checkpoint INTEGER NOT NULL) WITHOUT ROWID`);
    this.selectStatement = db.prepare(`SELECT checkpoint FROM ${table} WHERE name = ?`);
    this.upsertStatement = db.prepare(
      `INSERT INTO ${table} (name, checkpoint) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint`,
    );
  }

  loadSync(name: string): bigint | undefined {
    const row = this.selectStatement.get(name);
    return row === undefined ? undefined : BigInt(row.checkpoint);
  }

  saveSync(name: string, checkpoint: bigint): void {
    this.upsertStatement.run(name, checkpoint);
  }

  async load(name: string): Promise<bigint | undefined> {
    return this.loadSync(name);
  }

  async save(name: string, checkpoint: bigint): Promise<void> {
    this.saveSync(name, checkpoint);
  }
}
