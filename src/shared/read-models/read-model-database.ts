import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openDatabase } from '../../event-store/sqlite/open-database';
import type { Config } from '../config';

/** The read models live in a SQLite database of their own, beside the embedded store (or in memory). */
export const openReadModelDatabase = (config: Pick<Config, 'EVENT_STORE' | 'DATA_DIR'>): Database.Database =>
  openDatabase({
    filename: config.EVENT_STORE === 'memory' ? ':memory:' : join(config.DATA_DIR, 'read-models.sqlite'),
    synchronous: 'NORMAL',
  });
