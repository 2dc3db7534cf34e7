import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `FULL` (the default): fsync on every commit, so a commit survives a power loss too; group commit
 * spreads one sync over a turn's appends. `NORMAL`: in WAL mode a committed transaction survives a
 * crash of the process (kill -9), but the last commits may be lost if the machine loses power: for
 * what can be rebuilt from the store (the read models).
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  readonly filename: string;
  readonly synchronous?: SqliteSynchronous;
}

export const openDatabase = ({ filename, synchronous = 'FULL' }: SqliteOptions): Database.Database => {
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
