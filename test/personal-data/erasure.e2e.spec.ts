import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { personalDataKeysFile } from '../../src/event-store/personal-data/create-personal-data-keys';
import { SqlitePersonalDataKeys } from '../../src/event-store/personal-data/sqlite-personal-data-keys';
import { eventually } from '../../src/shared/testing/eventually';
import { createProduct, eventuallyStatus } from '../saga/saga-support';
import { adminToken, startTestSystem, type TestSystem } from '../support/test-system';

const street = '742 Evergreen Terrace, flat 7f3a';
const erasedAddress = { street, city: 'Springfield', state: 'OR', zip: '97403', country: 'US' };
const keptAddress = { street: '1 Infinite Loop', city: 'Cupertino', state: 'CA', zip: '95014', country: 'US' };

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

const placeFor = async (t: TestSystem, customerId: string, shippingAddress: object): Promise<string> => {
  const response = await t.http().post('/api/orders').send({ customerId, items: [{ sku: 'PD-1', quantity: 1 }], shippingAddress, paymentMethod: { token: 'tok_visa' } });
  expect(response.status).toBe(201);
  return response.body.orderId as string;
};

const erase = (t: TestSystem, customerId: string, { withToken = true } = {}) => {
  const call = t.http().delete(`/api/customers/${encodeURIComponent(customerId)}/personal-data`);
  return withToken ? call.set('Authorization', `Bearer ${adminToken}`) : call;
};

const placedEventOf = async (t: TestSystem, orderId: string) => {
  const { body } = await t.admin().get(`/api/events?correlationId=${orderId}&eventType=OrderPlaced`);
  expect(body.events ?? body.items).toHaveLength(1);
  return (body.events ?? body.items)[0];
};

describe("erasing a customer's personal data: DELETE /api/customers/:customerId/personal-data (CONTRACT §7)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'erasure-'));
  const environment = { EVENT_STORE: 'sqlite', DATA_DIR: dataDir, PAYMENT_DELAY_MS: '0' };
  let t: TestSystem;
  let erasedOrder: string;
  let keptOrder: string;
  let key: Buffer;

  beforeAll(async () => {
    t = await startTestSystem(environment, { autoStart: 'read-models' });
    await createProduct(t, 'PD-1', 100);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('needs the admin token, refuses a malformed id, and is a 404 for a customer with no orders; nothing changes', async () => {
    expect((await erase(t, 'cust_nobody', { withToken: false })).status).toBe(401);
    expect((await erase(t, 'x'.repeat(65))).status).toBe(400);
    const unknown = await erase(t, 'cust_nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
  });

  it('is a 409 naming the orders while any of them is not settled, and erases nothing', async () => {
    erasedOrder = await placeFor(t, 'cust_erase', erasedAddress);
    keptOrder = await placeFor(t, 'cust_keep', keptAddress);
    const refused = await erase(t, 'cust_erase');
    expect(refused.status).toBe(409);
    expect(refused.body.orderIds).toEqual([erasedOrder]);
    expect((await t.http().get(`/api/orders/${erasedOrder}`)).body.shippingAddress).toEqual(erasedAddress);
  });

  it('stores the address sealed: the log never holds it in the clear', async () => {
    const stored = (await placedEventOf(t, erasedOrder)).payload;
    expect(stored.shippingAddress).toEqual(erasedAddress);
    for (const file of filesUnder(dataDir).filter((path) => path.includes('events.sqlite'))) {
      expect(readFileSync(file).includes(street)).toBe(false);
    }
  });

  it('answers 202 once the orders are settled; from then on the address reads as null everywhere, and other customers keep theirs', async () => {
    await t.system.start();
    await eventuallyStatus(t, erasedOrder, 'SHIPPED');
    await eventuallyStatus(t, keptOrder, 'SHIPPED');
    const keys = new SqlitePersonalDataKeys(personalDataKeysFile(dataDir));
    key = (await keys.find('cust_erase')).key!;
    await keys.close();
    expect(key).toHaveLength(32);

    const erased = await erase(t, 'cust_erase');
    expect(erased.status).toBe(202);
    expect(erased.body).toEqual({ customerId: 'cust_erase', status: 'erased', orders: 1 });

    const order = (await t.http().get(`/api/orders/${erasedOrder}`)).body;
    expect(order).toMatchObject({ orderId: erasedOrder, status: 'SHIPPED', customerId: 'cust_erase', shippingAddress: null });
    expect(order.items).toHaveLength(1);
    const listed = (await t.admin().get('/api/orders?customerId=cust_erase')).body.items;
    expect(listed.map((item: { shippingAddress: unknown }) => item.shippingAddress)).toEqual([null]);
    const placed = await placedEventOf(t, erasedOrder);
    expect(placed.payload.shippingAddress).toBeNull();
    expect(placed.payload.customerId).toBe('cust_erase');
    expect(placed.payload.total).toBe(10);
    expect(placed.metadata.personalDataErased).toBe(true);

    expect((await t.http().get(`/api/orders/${keptOrder}`)).body.shippingAddress).toEqual(keptAddress);
    const kept = await placedEventOf(t, keptOrder);
    expect(kept.payload.shippingAddress).toEqual(keptAddress);
    expect(kept.metadata.personalDataErased).toBeUndefined();
    // The saga of everyone else goes on.
    const after = await placeFor(t, 'cust_keep', keptAddress);
    await eventuallyStatus(t, after, 'SHIPPED');
  });

  it('restores nothing in a rebuild, nor after a restart', async () => {
    expect((await t.admin().post('/api/admin/projections/orders/rebuild')).status).toBe(202);
    await eventually(async () => {
      const { items } = (await t.admin().get('/api/admin/projections')).body;
      expect(items.find((item: { name: string }) => item.name === 'orders').status).toBe('live');
    }, 10_000);
    const listed = (await t.admin().get('/api/orders?customerId=cust_erase')).body.items;
    expect(listed.map((item: { shippingAddress: unknown }) => item.shippingAddress)).toEqual([null]);

    await t.stop();
    t = await startTestSystem(environment);
    expect((await t.http().get(`/api/orders/${erasedOrder}`)).body.shippingAddress).toBeNull();
    expect((await placedEventOf(t, erasedOrder)).metadata.personalDataErased).toBe(true);
    expect((await t.http().get(`/api/orders/${keptOrder}`)).body.shippingAddress).toEqual(keptAddress);
  });

  it('leaves neither the address nor its key in any byte of any file under DATA_DIR', async () => {
    // Stopping closes every database: SQLite checkpoints its write-ahead logs into the files and removes them.
    await t.stop();
    const files = filesUnder(dataDir);
    expect(files.some((file) => readFileSync(file).includes('cust_erase'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect({ file, address: bytes.includes(street) }).toEqual({ file, address: false });
      expect({ file, key: bytes.includes(key) }).toEqual({ file, key: false });
    }
    t = await startTestSystem(environment);
  });
});
