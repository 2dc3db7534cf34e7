import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openDatabase } from '../../event-store/sqlite/open-database';
import type { Config } from '../config';

/** The read models live in a SQLite database of their own, beside the embedded store (or in memory). */
export const openReadModelDatabase = (config: Pick<Config, 'EVENT_STORE' | 'DATA_DIR'>): Database.Database => {
  const db = openDatabase({
    filename: config.EVENT_STORE === 'memory' ? ':memory:' : join(config.DATA_DIR, 'read-models.sqlite'),
    synchronous: 'NORMAL',
  });
  // Read models hold personal data until it is erased: what a change frees is overwritten, not left in free space.
  db.pragma('secure_delete = ON');
  return db;
};
