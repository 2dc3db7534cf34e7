import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterStore } from '../../src/shared/process-managers/dead-letter-store';
import { startTestSystem } from '../support/test-system';

const letter = (n: number) => ({
  subscription: 'payments-on-orders',
  eventId: `event-${n}`,
  eventType: 'OrderConfirmed',
  streamName: `Order-${n}`,
  position: String(n),
  error: 'gateway down',
  attempts: 4,
  failedAt: new Date(0).toISOString(),
});

const tableIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    const exists = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'").get() !== undefined;
    return exists ? (db.prepare('SELECT event_id FROM dead_letters ORDER BY id').pluck().all() as string[]) : undefined;
  } finally {
    db.close();
  }
};

describe('dead letters beside the checkpoints (#12 item 2: a crash cannot lose a dead letter the checkpoint has passed)', () => {
  it('keeps them in the event store, moving those an older version left in the read-model database, at the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dead-letters-'));
    try {
      // What an older version left: letters in the read-model database.
      const old = new Database(join(dataDir, 'read-models.sqlite'));
      const before = new DeadLetterStore(old);
      before.add(letter(1));
      before.add(letter(2));
      old.close();

      const t = await startTestSystem({ EVENT_STORE: 'sqlite', DATA_DIR: dataDir });
      const listed = (await t.admin().get('/api/admin/dead-letters')).body.items.map((item: { eventId: string }) => item.eventId);
      expect(listed).toEqual(['event-1', 'event-2']);
      await t.stop();

      expect(tableIn(join(dataDir, 'events.sqlite'))).toEqual(['event-1', 'event-2']);
      expect(tableIn(join(dataDir, 'read-models.sqlite'))).toBeUndefined();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
