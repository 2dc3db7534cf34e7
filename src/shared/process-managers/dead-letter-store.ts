import type Database from 'better-sqlite3';
import type { EventStore } from '../../event-store/event-store.port';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import type { DeadLetterEntry } from './process-managers.port';

/** A dead letter of the embedded mode: numbered by this table, with the count of its handler's attempts. */
export interface DeadLetter extends DeadLetterEntry {
  readonly id: number;
  readonly attempts: number;
}

interface DeadLetterRow {
  id: number;
  subscription: string;
  event_id: string;
  event_type: string;
  stream_name: string;
  position: string;
  error: string;
  attempts: number;
  failed_at: string;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  subscription: row.subscription,
  eventId: row.event_id,
  eventType: row.event_type,
  streamName: row.stream_name,
  position: row.position,
  error: row.error,
  attempts: row.attempts,
  failedAt: row.failed_at,
});

/** Messages that failed every retry, kept with their error until an operator replays them. */
export class DeadLetterStore {
  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      id           INTEGER PRIMARY KEY,
      subscription TEXT NOT NULL,
      event_id     TEXT NOT NULL,
      event_type   TEXT NOT NULL,
      stream_name  TEXT NOT NULL,
      position     TEXT NOT NULL,
      error        TEXT NOT NULL,
      attempts     INTEGER NOT NULL,
      failed_at    TEXT NOT NULL,
      UNIQUE (subscription, event_id)
    )`);
  }

  add(letter: Omit<DeadLetter, 'id'>): void {
    this.db
      .prepare(
        `INSERT INTO dead_letters (subscription, event_id, event_type, stream_name, position, error, attempts, failed_at)
         VALUES (@subscription, @eventId, @eventType, @streamName, @position, @error, @attempts, @failedAt)
         ON CONFLICT (subscription, event_id) DO UPDATE SET error = excluded.error, attempts = dead_letters.attempts + excluded.attempts, failed_at = excluded.failed_at`,
      )
      .run(letter);
  }

  list(): DeadLetter[] {
    return (this.db.prepare('SELECT * FROM dead_letters ORDER BY id').all() as DeadLetterRow[]).map(toDeadLetter);
  }

  /** Up to `limit` letters after the id `after`, oldest first: one indexed range read, however many there are. */
  page(after: number, limit: number): DeadLetter[] {
    return (this.db.prepare('SELECT * FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as DeadLetterRow[]).map(toDeadLetter);
  }

  get(id: number): DeadLetter | undefined {
    const row = this.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id) as DeadLetterRow | undefined;
    return row === undefined ? undefined : toDeadLetter(row);
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM dead_letters WHERE id = ?').run(id);
  }

  countBySubscription(): Map<string, number> {
    const rows = this.db.prepare('SELECT subscription, count(*) AS count FROM dead_letters GROUP BY subscription').all() as Array<{
      subscription: string;
      count: number;
    }>;
    return new Map(rows.map((row) => [row.subscription, row.count]));
  }
}

/**
 * Where the dead letters live: beside the checkpoints, in the embedded store's own database, so that
 * a dead letter is on disk, as durably as the checkpoint, before the checkpoint moves past its event
 * (the runner records the letter first). In the read-model database (synchronous=NORMAL) a power cut
 * could lose the letter while the checkpoint past it survived: the event skipped for good. Another
 * store keeps its own (EventStoreDB: the consumer groups' parked streams); the fallback is for tests.
 */
export const deadLetterDatabase = (store: EventStore, fallback: Database.Database): Database.Database =>
  store instanceof SqliteEventStore ? store.database : fallback;

/** Moves the letters an older version kept in `from` (the read-model database) into `to`, once; a crash halfway repeats it harmlessly. */
export const moveDeadLetters = (from: Database.Database, to: Database.Database): number => {
  if (from === to) return 0;
  const table = from.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'").get();
  if (table === undefined) return 0;
  const rows = from.prepare('SELECT * FROM dead_letters ORDER BY id').all() as DeadLetterRow[];
  const target = new DeadLetterStore(to);
  to.transaction(() => {
    for (const row of rows) {
      const { id: _id, ...letter } = toDeadLetter(row);
      target.add(letter);
    }
  })();
  from.exec('DROP TABLE dead_letters');
  return rows.length;
};
