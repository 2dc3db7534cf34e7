import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreFile } from '../../src/event-store/create-event-store';
import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem } from '../support/test-system';

/**
 * The store loses its last commits while the checkpoints that moved past them survive: a power cut
 * under synchronous=NORMAL, or a store restored from an older backup. SQLite then hands the lost
 * positions out again, and a subscriber whose checkpoint is past them would skip the new events.
 */
describe('checkpoints ahead of the store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'checkpoints-ahead-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const environment = { EVENT_STORE: 'sqlite', DATA_DIR: dataDir, RETRY_BASE_DELAY_MS: '5' };

  it('resets the read models and process managers found past the head at start, so new events are not skipped', async () => {
    const before = await startTestSystem(environment);
    await createProduct(before, 'KEPT-1', 10);
    const kept = await before.system.eventStore.headCheckpoint({ kind: 'all' });
    await createProduct(before, 'LOST-1', 10);
    await eventuallyStatus(before, await placeOrder(before, [{ sku: 'LOST-1', quantity: 1 }]), 'SHIPPED');
    await before.stop();

    // Every event after the first product is lost; the checkpoints (process managers' in the same file, read models' in theirs) are not.
    const events = new Database(eventStoreFile(dataDir));
    events.prepare('DELETE FROM events WHERE position > ?').run(kept);
    events.prepare('DELETE FROM stream_snapshots').run();
    events.close();

    const after = await startTestSystem(environment);
    try {
      // A new order takes the positions the lost events had: the saga sees it through.
      const orderId = await placeOrder(after, [{ sku: 'KEPT-1', quantity: 2 }]);
      await eventuallyStatus(after, orderId, 'SHIPPED');
      expect((await after.http().get('/api/products/KEPT-1')).body.stock).toEqual({ onHand: 10, reserved: 2, available: 8 });
      // The read models show only what the store holds.
      expect((await after.http().get('/api/products/LOST-1')).status).toBe(404);
      const list = await after.admin().get('/api/orders');
      expect(list.body.items.map((order: { orderId: string }) => order.orderId)).toEqual([orderId]);
    } finally {
      await after.stop();
    }
  }, 30_000);
});
