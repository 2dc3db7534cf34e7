import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuid } from 'uuid';
import { ordersModule } from '../../src/modules/orders/orders.module';
import { startTestSystem, type TestSystem } from '../support/test-system';

const body = {
  customerId: 'cust_alice',
  items: [{ sku: 'WIDGET-001', quantity: 1 }],
  shippingAddress: { street: '1 Main St', city: 'Springfield', state: '', zip: '1', country: 'US' },
};

const givenProduct = (t: TestSystem) =>
  t.system.eventStore.append(
    'Product-WIDGET-001',
    [{ id: uuid(), type: 'ProductCreated', data: { sku: 'WIDGET-001', name: 'Widget', price: 5, currency: 'USD', initialStock: 100 } }],
    'no_stream',
  );

describe('Idempotency-Key lifetime', () => {
  const ttlMs = 60_000;
  const start = Date.parse('2026-12-01T00:00:30.000Z');
  let now = start;
  let t: TestSystem;

  beforeEach(async () => {
    t = await startTestSystem({ IDEMPOTENCY_KEY_TTL_MS: String(ttlMs) }, { modules: [ordersModule], clock: () => new Date(now) });
    await givenProduct(t);
  });

  afterEach(() => t.stop());

  const place = (key: string) => t.http().post('/api/orders').set('Idempotency-Key', key).send(body);

  it('honours a key for at least IDEMPOTENCY_KEY_TTL_MS, and places a new order with it once twice that has passed', async () => {
    const first = await place('lifetime-1');
    expect(first.status).toBe(201);
    for (const later of [1, ttlMs - 1, ttlMs, ttlMs + 29_999]) {
      now = start + later;
      const again = await place('lifetime-1');
      expect({ later, status: again.status, orderId: again.body.orderId }).toEqual({ later, status: 201, orderId: first.body.orderId });
    }
    now = start + 2 * ttlMs;
    const forgotten = await place('lifetime-1');
    expect(forgotten.status).toBe(201);
    expect(forgotten.body.orderId).not.toBe(first.body.orderId);
    // The new order is honoured from then on, like the first one was.
    expect((await place('lifetime-1')).body.orderId).toBe(forgotten.body.orderId);
    expect(await t.system.eventStore.readEventType('OrderPlaced')).toHaveLength(2);
  });
});

describe('Idempotency-Key across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idempotency-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers the same order after a restart: the installation secret is kept with the data', async () => {
    const environment = { EVENT_STORE: 'sqlite', DATA_DIR: dataDir };
    const before = await startTestSystem(environment, { modules: [ordersModule] });
    await givenProduct(before);
    const first = await before.http().post('/api/orders').set('Idempotency-Key', 'restart-1').send(body);
    await before.stop();
    const after = await startTestSystem(environment, { modules: [ordersModule] });
    try {
      const again = await after.http().post('/api/orders').set('Idempotency-Key', 'restart-1').send(body);
      expect(again.status).toBe(201);
      expect(again.body.orderId).toBe(first.body.orderId);
      expect(await after.system.eventStore.readEventType('OrderPlaced')).toHaveLength(1);
    } finally {
      await after.stop();
    }
  });
});
