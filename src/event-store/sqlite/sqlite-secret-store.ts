import type Database from 'better-sqlite3';
import type { SecretStore } from '../event-store.port';

/** Runs a write inside the store's next group commit and resolves once it is durable. */
export type InNextCommit = <T>(run: () => T) => Promise<T>;

/**
 * A table of the events database, which `/api/events` never reads. Erased rows are overwritten with
 * zeros (`secure_delete`), so an erased value does not linger in the file's free pages. Its writes
 * ride along in the appends' group commit: a transaction (and a sync) of their own would cost one
 * per order.
 */
export class SqliteSecretStore implements SecretStore {
  private readonly insertStatement: Database.Statement<[string, string]>;
  private readonly selectStatement: Database.Statement<[string], { value: string }>;
  private readonly deleteStatement: Database.Statement<[string]>;

  constructor(
    db: Database.Database,
    private readonly inNextCommit: InNextCommit,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS secrets (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    db.pragma('secure_delete = ON');
    this.insertStatement = db.prepare('INSERT INTO secrets (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
    this.selectStatement = db.prepare('SELECT value FROM secrets WHERE key = ?');
    this.deleteStatement = db.prepare('DELETE FROM secrets WHERE key = ?');
  }

  keep(key: string, value: string): Promise<string> {
    return this.inNextCommit(() => {
      this.insertStatement.run(key, value);
      return this.selectStatement.get(key)!.value;
    });
  }

  async read(key: string): Promise<string | undefined> {
    return this.selectStatement.get(key)?.value;
  }

  erase(key: string): Promise<void> {
    return this.inNextCommit(() => {
      this.deleteStatement.run(key);
    });
  }
}
