import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../src/shared/testing/eventually';
import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { adminToken, startTestSystem, type TestSystem } from '../support/test-system';

const fixture = join(__dirname, '..', 'fixtures', 'v1-store', 'events.sqlite');

interface Envelope {
  eventType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  version: number;
  storedVersion: number;
  metadata: Record<string, unknown>;
}

const eventsOfType = async (t: TestSystem, eventType: string): Promise<Envelope[]> => (await t.admin().get(`/api/events?eventType=${eventType}&limit=1000`)).body.events;

describe('a store written before event versions existed (CONTRACT §7: upcasting)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'v1-store-'));
  let t: TestSystem;
  let v1Confirmed: Envelope[];

  beforeAll(async () => {
    // A copy: opening the store migrates its schema in place, and the fixture must stay as it was written.
    copyFileSync(fixture, join(dataDir, 'events.sqlite'));
    t = await startTestSystem({ EVENT_STORE: 'sqlite', DATA_DIR: dataDir });
    v1Confirmed = await eventsOfType(t, 'OrderConfirmed');
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves its events in the newest shape, saying which version each was written with', async () => {
    expect(v1Confirmed).toHaveLength(3);
    for (const event of v1Confirmed) {
      expect(event).toMatchObject({ version: 2, storedVersion: 1, payload: { orderId: event.aggregateId, paymentMethod: { tokenRef: `payment-token:${event.aggregateId}` } } });
      expect(event.metadata.storedSchemaVersion).toBeUndefined();
    }
    const [rejected] = await eventsOfType(t, 'OrderPaymentFailed');
    expect(rejected).toMatchObject({ version: 1, storedVersion: 1 });
    for (const placed of await eventsOfType(t, 'OrderPlaced')) {
      expect(placed).toMatchObject({ version: 1, storedVersion: 1, payload: { customerId: 'cust_fixture', shippingAddress: { street: '12 Fixture Lane' } } });
    }
  });

  it('carries on the saga of the order left CONFIRMED: payments acts on its v1 OrderConfirmed', async () => {
    const list = (await t.admin().get('/api/orders?customerId=cust_fixture')).body.items as Array<{ orderId: string; status: string }>;
    expect(list.map((order) => order.status).sort()).toEqual(expect.arrayContaining(['PAYMENT_FAILED', 'SHIPPED']));
    for (const order of list) if (order.status !== 'PAYMENT_FAILED') await eventuallyStatus(t, order.orderId, 'SHIPPED');
    const paid = (await eventsOfType(t, 'PaymentProcessed')).filter((event) => list.some((order) => order.orderId === event.payload.orderId));
    expect(paid).toHaveLength(2);
    expect((await t.admin().get('/api/admin/dead-letters')).body.items).toEqual([]);
  });

  it('writes new events in the newest version, and reads them back as written', async () => {
    await createProduct(t, 'NEW-1', 10);
    const orderId = await placeOrder(t, [{ sku: 'NEW-1', quantity: 1 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    const written = (await eventsOfType(t, 'OrderConfirmed')).find((event) => event.aggregateId === orderId);
    expect(written).toMatchObject({ version: 2, storedVersion: 2 });
  });

  it('rebuilds its read models from the upcast events, and reads each stream in the newest shape', async () => {
    expect((await t.admin().post('/api/admin/projections/orders/rebuild')).status).toBe(202);
    await eventually(async () => {
      const { items } = (await t.admin().get('/api/admin/projections')).body;
      expect(items.find((item: { name: string }) => item.name === 'orders').status).toBe('live');
    }, 10_000);
    expect((await t.admin().get('/api/orders?customerId=cust_fixture')).body.items).toHaveLength(3);
    for (const event of v1Confirmed) {
      const stream = await t.system.eventStore.readStream(`Order-${event.aggregateId}`);
      const confirmed = stream.find((recorded) => recorded.type === 'OrderConfirmed')!;
      expect(confirmed.data).toMatchObject({ paymentMethod: { tokenRef: `payment-token:${event.aggregateId}` } });
      expect(confirmed.metadata).toMatchObject({ schemaVersion: 2, storedSchemaVersion: 1 });
    }
  });

  it("erases the customer's addresses written in the clear: they read as null, though their bytes stay in the log", async () => {
    const erased = await t.http().delete('/api/customers/cust_fixture/personal-data').set('Authorization', `Bearer ${adminToken}`);
    expect(erased.status).toBe(202);
    for (const placed of await eventsOfType(t, 'OrderPlaced')) {
      if (placed.payload.customerId !== 'cust_fixture') continue;
      expect(placed.payload.shippingAddress).toBeNull();
      expect(placed.metadata.personalDataErased).toBe(true);
    }
  });
});
