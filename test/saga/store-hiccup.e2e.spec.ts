import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { StoreFaults, sqliteIoError, withFaults } from '../support/faulty-store';
import { startTestSystem } from '../support/test-system';

describe('a store error in the middle of a saga (#12: background failures neither crash nor stall it)', () => {
  it('every order still reaches SHIPPED after 1.5 s of failing writes, with no dead letter, and the retries are counted', async () => {
    const faults = new StoreFaults();
    const t = await startTestSystem({ RETRY_BASE_DELAY_MS: '5' }, { eventStore: withFaults(SqliteEventStore.open({ filename: ':memory:' }), faults), autoStart: 'read-models' });
    try {
      await createProduct(t, 'HICCUP-1', 100);
      const orderIds = await Promise.all(Array.from({ length: 6 }, () => placeOrder(t, [{ sku: 'HICCUP-1', quantity: 1 }])));
      // Every append fails for 1.5 s: far past the 3 retries (5, 10, 20 ms) that used to dead-letter the event.
      faults.failFor('append', 1500, sqliteIoError);
      await t.system.start();
      for (const orderId of orderIds) await eventuallyStatus(t, orderId, 'SHIPPED', 15_000);
      expect(faults.injected.append).toBeGreaterThan(0);
      expect((await t.admin().get('/api/admin/dead-letters')).body.items).toEqual([]);
      const metrics = (await t.http().get('/metrics')).text;
      const retried = [...metrics.matchAll(/subscription_transient_retries\{subscription="[^"]+"\} (\d+)/g)].map((match) => Number(match[1]));
      expect(retried.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
      expect((await t.http().get('/ready')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
