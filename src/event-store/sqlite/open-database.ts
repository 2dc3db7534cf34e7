import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `NORMAL`: in WAL mode a committed transaction survives a crash of the process (kill -9), but the
 * last commits may be lost if the machine itself loses power. `FULL`: fsync on every commit, which
 * also survives power loss, at about a third of the write rate.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  readonly filename: string;
  readonly synchronous?: SqliteSynchronous;
}

export const openDatabase = ({ filename, synchronous = 'NORMAL' }: SqliteOptions): Database.Database => {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Keep the WAL from growing without bound under a steady write load.
  db.pragma('wal_autocheckpoint = 4000');
  return db;
};
