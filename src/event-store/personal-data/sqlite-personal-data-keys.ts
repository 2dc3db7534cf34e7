import Database from 'better-sqlite3';
import { newPersonalDataKey } from './personal-data-cipher';
import type { PersonalDataKeys, SubjectKey } from './personal-data-keys.port';

/**
 * The embedded store's keys: a SQLite file of their own beside the events (`personal-data-keys.sqlite`).
 * A destroyed key must leave no byte behind in the file: `secure_delete` overwrites what a delete
 * frees, and the rollback journal (not WAL) holds a page's old content only until its commit ends,
 * then is deleted. `synchronous=FULL`: a key is on disk before any event sealed with it is appended.
 */
export class SqlitePersonalDataKeys implements PersonalDataKeys {
  private readonly db: Database.Database;
  private readonly selectKey: Database.Statement<[string], { key: Buffer }>;
  private readonly selectErased: Database.Statement<[string], { subject: string }>;
  private readonly insertKey: Database.Statement<[string, Buffer]>;
  private readonly deleteKey: Database.Statement<[string]>;
  private readonly insertErasure: Database.Statement<[string, string]>;

  constructor(filename: string) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = DELETE');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS personal_data_keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS personal_data_erasures (subject TEXT PRIMARY KEY, erased_at TEXT NOT NULL) WITHOUT ROWID;
    `);
    this.selectKey = this.db.prepare('SELECT key FROM personal_data_keys WHERE subject = ?');
    this.selectErased = this.db.prepare('SELECT subject FROM personal_data_erasures WHERE subject = ?');
    this.insertKey = this.db.prepare('INSERT OR IGNORE INTO personal_data_keys (subject, key) VALUES (?, ?)');
    this.deleteKey = this.db.prepare('DELETE FROM personal_data_keys WHERE subject = ?');
    this.insertErasure = this.db.prepare('INSERT OR REPLACE INTO personal_data_erasures (subject, erased_at) VALUES (?, ?)');
  }

  async find(subject: string): Promise<SubjectKey> {
    return { key: this.selectKey.get(subject)?.key, erased: this.selectErased.get(subject) !== undefined };
  }

  async obtain(subject: string): Promise<Buffer> {
    const existing = this.selectKey.get(subject)?.key;
    if (existing !== undefined) return existing;
    this.insertKey.run(subject, newPersonalDataKey());
    return this.selectKey.get(subject)!.key;
  }

  async destroy(subject: string): Promise<void> {
    this.db.transaction(() => {
      this.deleteKey.run(subject);
      this.insertErasure.run(subject, new Date().toISOString());
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
