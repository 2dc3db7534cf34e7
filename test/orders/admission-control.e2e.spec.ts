import type { Response } from 'supertest';
import { maxRetryAfterSeconds } from '../../src/shared/process-managers/admission-gate';
import { eventually } from '../../src/shared/testing/eventually';
import { address, createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { processManagerNames } from '../support/process-manager-names';
import { startTestSystem, type TestSystem } from '../support/test-system';

const maxSagaLag = 5;
const sku = 'ADMIT-1';
const orderBody = { customerId: 'cust_admission', items: [{ sku, quantity: 1 }], shippingAddress: address };

/** The value of an unlabelled sample of the Prometheus text. */
const sample = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

const expectRefused = (response: Response) => {
  expect(response.status).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(maxRetryAfterSeconds);
  expect(response.body.retryAfterSeconds).toBe(Number(response.headers['retry-after']));
  expect(response.body).toMatchObject({ type: '/problems/saga-behind', title: 'Service Unavailable', status: 503, detail: expect.stringContaining('behind') });
};

describe('admission control under a load the saga keeps up with', () => {
  it('never refuses an order at the default MAX_SAGA_LAG', async () => {
    const t = await startTestSystem();
    try {
      const clients = 16;
      for (let client = 0; client < clients; client++) await createProduct(t, `KEEPUP-${client}`, 1000);
      let maxLagSeen = 0;
      const watch = setInterval(() => (maxLagSeen = Math.max(maxLagSeen, t.system.admission.status().maxLag)), 10);
      const orderIds = await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          const placed: string[] = [];
          for (let i = 0; i < 25; i++) placed.push(await placeOrder(t, [{ sku: `KEEPUP-${client}`, quantity: 1 }]));
          return placed;
        }),
      ).finally(() => clearInterval(watch));
      for (const orderId of orderIds.flat()) await eventuallyStatus(t, orderId, 'SHIPPED');
      expect(t.system.admission.status()).toEqual({ refusing: false, maxLag: expect.any(Number), limit: 5000, refusedTotal: 0 });
      expect(maxLagSeen).toBeLessThan(5000);
      expect(sample(await (await t.http().get('/metrics')).text, 'order_platform_orders_refused_total')).toBe(0);
    } finally {
      await t.stop();
    }
  });
});

describe('admission control: POST /api/orders while the saga is more than MAX_SAGA_LAG events behind', () => {
  let t: TestSystem;
  beforeEach(async () => {
    t = await startTestSystem({ MAX_SAGA_LAG: String(maxSagaLag) });
    await createProduct(t, sku, 1000);
  });
  afterEach(() => t.stop());

  const orderPlacedCount = async () => (await t.readEvents()).filter(({ event }) => event.type === 'OrderPlaced').length;
  const listedOrders = async () => ((await t.admin().get('/api/orders?limit=1000')).body.items as unknown[]).length;
  const admission = async () => {
    const response = await t.admin().get('/api/admin/subscriptions');
    expect(response.status).toBe(200);
    expect((response.body.items as Array<{ name: string }>).map((item) => item.name).sort()).toEqual(processManagerNames);
    return response.body.admission;
  };
  const metrics = async () => (await t.http().get('/metrics').expect(200)).text;

  it('refuses with 503 and Retry-After and writes nothing while behind; every other route serves; admits again once caught up', async () => {
    const first = await placeOrder(t, [{ sku, quantity: 1 }]);
    await eventuallyStatus(t, first, 'SHIPPED');
    await eventually(async () => expect(await admission()).toEqual({ refusing: false, maxLag: 0, limit: maxSagaLag, refusedTotal: 0 }));

    // The process managers stop: every order placed from now on is a backlog they will have to take up.
    await t.system.processManagers.stop();
    const backlog: string[] = [];
    let refusals = 0;
    const refused = await eventually(async () => {
      const response = await t.http().post('/api/orders').send(orderBody);
      if (response.status === 201) {
        backlog.push(response.body.orderId as string);
        throw new Error(`still admitted with ${backlog.length} orders waiting`);
      }
      return response;
    });
    refusals++;
    expectRefused(refused);
    // One OrderPlaced a backlog order, and nothing else is appended meanwhile: refused once more than MAX_SAGA_LAG wait.
    expect(backlog.length).toBeGreaterThan(maxSagaLag);

    // Nothing of a refused order is written: not its OrderPlaced, not an order in the read model, no event at all.
    await eventually(async () => expect(await listedOrders()).toBe(backlog.length + 1));
    const events = await t.eventCount();
    const placed = await orderPlacedCount();
    expect(placed).toBe(backlog.length + 1);
    expectRefused(await t.http().post('/api/orders').send(orderBody));
    expectRefused(await t.http().post('/api/orders').set('Idempotency-Key', 'admission-retry-1').send(orderBody));
    refusals += 2;
    expect(await t.eventCount()).toBe(events);
    expect(await orderPlacedCount()).toBe(placed);
    expect(await listedOrders()).toBe(backlog.length + 1);

    // Every other route keeps serving, reads and writes alike.
    expect((await t.http().get('/health')).status).toBe(200);
    expect((await t.http().get('/api/products')).status).toBe(200);
    expect((await t.http().get(`/api/products/${sku}`)).status).toBe(200);
    expect((await t.http().get(`/api/orders/${backlog[0]}`)).body).toMatchObject({ orderId: backlog[0], status: 'PENDING' });
    expect((await t.admin().get('/api/orders')).status).toBe(200);
    expect((await t.admin().get('/api/events?limit=1')).status).toBe(200);
    expect((await t.admin().get('/api/admin/projections')).status).toBe(200);
    expect((await t.admin().post('/api/products').send({ sku: 'ADMIT-2', name: 'Another', price: 1, initialStock: 1 })).status).toBe(201);
    expect((await t.http().post(`/api/orders/${backlog[1]}/cancel`).send({ reason: 'waited too long' })).status).toBe(202);

    // Operators see it: the admin view and the metrics.
    const refusing = await admission();
    expect(refusing).toEqual({ refusing: true, maxLag: expect.any(Number), limit: maxSagaLag, refusedTotal: refusals });
    expect(refusing.maxLag).toBeGreaterThan(maxSagaLag);
    const text = await metrics();
    expect(sample(text, 'order_platform_orders_refused_total')).toBe(refusals);
    expect(sample(text, 'order_platform_admission_refusing')).toBe(1);
    expect(sample(text, 'order_platform_admission_max_lag_events')).toBeGreaterThan(maxSagaLag);
    expect(sample(text, 'order_platform_admission_max_lag_limit_events')).toBe(maxSagaLag);

    // The process managers take the backlog up; orders are admitted again, and the waiting ones settle.
    await t.system.processManagers.start();
    const admitted = await eventually(async () => {
      const response = await t.http().post('/api/orders').set('Idempotency-Key', 'admission-retry-1').send(orderBody);
      if (response.status === 503) refusals++;
      expect(response.status).toBe(201);
      return response;
    });
    expect(admitted.headers.location).toBe(`/api/orders/${admitted.body.orderId}`);
    expect(await orderPlacedCount()).toBe(placed + 1);
    await eventuallyStatus(t, admitted.body.orderId as string, 'SHIPPED');
    for (const orderId of backlog) await eventuallyStatus(t, orderId, orderId === backlog[1] ? 'CANCELLED' : 'SHIPPED');
    await eventually(async () => expect(await admission()).toEqual({ refusing: false, maxLag: 0, limit: maxSagaLag, refusedTotal: refusals }));
    expect(sample(await metrics(), 'order_platform_admission_refusing')).toBe(0);
  });
});
