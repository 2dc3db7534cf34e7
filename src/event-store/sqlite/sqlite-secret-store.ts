import type Database from 'better-sqlite3';
import type { SecretStore } from '../event-store.port';

/**
 * A table of the events database, which `/api/events` never reads. Erased rows are overwritten with
 * zeros (`secure_delete`), so an erased value does not linger in the file's free pages.
 */
export class SqliteSecretStore implements SecretStore {
  private readonly insertStatement: Database.Statement<[string, string]>;
  private readonly selectStatement: Database.Statement<[string], { value: string }>;
  private readonly deleteStatement: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS secrets (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    db.pragma('secure_delete = ON');
    this.insertStatement = db.prepare('INSERT INTO secrets (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
    this.selectStatement = db.prepare('SELECT value FROM secrets WHERE key = ?');
    this.deleteStatement = db.prepare('DELETE FROM secrets WHERE key = ?');
  }

  async keep(key: string, value: string): Promise<string> {
    this.insertStatement.run(key, value);
    return this.selectStatement.get(key)!.value;
  }

  async read(key: string): Promise<string | undefined> {
    return this.selectStatement.get(key)?.value;
  }

  async erase(key: string): Promise<void> {
    this.deleteStatement.run(key);
  }
}
