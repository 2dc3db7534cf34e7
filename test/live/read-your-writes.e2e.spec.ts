import type { InventoryCommands } from '../../src/modules/inventory/application/inventory-commands';
import { InventoryTokens } from '../../src/modules/inventory/inventory.tokens';
import { address, createProduct, eventsOf, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

const positionOf = (response: { headers: Record<string, string> }) => {
  const header = response.headers['event-position'];
  expect(header).toMatch(/^\d+$/);
  return BigInt(header!);
};

describe('write positions (CONTRACT §6)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    await createProduct(t, 'POS-1', 100);
  });
  afterAll(() => t.stop());

  it('every successful write answers Event-Position: the position of the last event it appended', async () => {
    const lastEventOf = async (stream: string) => {
      const [head] = await t.system.eventStore.readStream(stream, { direction: 'backwards', maxCount: 1 });
      return head!.position;
    };
    const created = await t.admin().post('/api/products').send({ sku: 'POS-2', name: 'Two', price: 5, initialStock: 1 });
    expect(positionOf(created)).toBe(await lastEventOf('Product-POS-2'));
    const restocked = await t.admin().post('/api/products/POS-2/restock').send({ quantity: 3 });
    expect(positionOf(restocked)).toBe(await lastEventOf('Product-POS-2'));
    expect(positionOf(restocked)).toBeGreaterThan(positionOf(created));

    const placed = await t.http().post('/api/orders').send({ customerId: 'c1', items: [{ sku: 'POS-1', quantity: 1 }], shippingAddress: address });
    expect(placed.status).toBe(201);
    const orderPlaced = (await eventsOf(t, placed.body.orderId)).find((event) => event.type === 'OrderPlaced')!;
    expect(positionOf(placed)).toBe(orderPlaced.position);

    const shipped = await eventuallyStatus(t, await placeOrder(t, [{ sku: 'POS-1', quantity: 1 }]), 'SHIPPED');
    const dispatched = await t.admin().post(`/api/shipments/${shipped.shipmentId}/dispatch`).send({});
    expect(positionOf(dispatched)).toBe(await lastEventOf(`Shipment-${shipped.shipmentId}`));
    const delivered = await t.admin().post(`/api/shipments/${shipped.shipmentId}/deliver`).send({});
    expect(positionOf(delivered)).toBe(await lastEventOf(`Shipment-${shipped.shipmentId}`));

    const toCancel = await placeOrder(t, [{ sku: 'POS-1', quantity: 1 }]);
    const cancelled = await t.http().post(`/api/orders/${toCancel}/cancel`).send({});
    expect(cancelled.status).toBe(202);
    const orderCancelled = (await eventsOf(t, toCancel)).find((event) => event.type === 'OrderCancelled')!;
    expect(positionOf(cancelled)).toBe(orderCancelled.position);
  });

  it("a position from one module's write is good for every read model's minPosition, also one with no event after it or none at all", async () => {
    const placed = await t.http().post('/api/orders').send({ customerId: 'c2', items: [{ sku: 'POS-1', quantity: 1 }], shippingAddress: address });
    const position = positionOf(placed);
    const list = await t.admin().get(`/api/orders?customerId=c2&minPosition=${position}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((order: { orderId: string }) => order.orderId)).toContain(placed.body.orderId);
    expect((await t.http().get(`/api/products/POS-1?minPosition=${position}`)).status).toBe(200);
    expect((await t.http().get(`/api/shipments?orderId=${placed.body.orderId}&minPosition=${position}`)).status).toBe(200);
    expect((await t.admin().get(`/api/payments?orderId=${placed.body.orderId}&minPosition=${position}`)).status).toBe(200);
    expect((await t.http().get(`/api/orders/${placed.body.orderId}?minPosition=${position}`)).status).toBe(200);

    // A restock starts no saga: the other read models get no event after its position, and must not wait for one.
    const restocked = positionOf(await t.admin().post('/api/products/POS-1/restock').send({ quantity: 1 }));
    expect((await t.admin().get(`/api/orders?minPosition=${restocked}`)).status).toBe(200);
    expect((await t.http().get(`/api/shipments?orderId=${placed.body.orderId}&minPosition=${restocked}`)).status).toBe(200);
    expect((await t.admin().get(`/api/payments?orderId=${placed.body.orderId}&minPosition=${restocked}`)).status).toBe(200);
  });

  it('a malformed position is a 400 problem, on every route that takes one', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999', '']) {
      for (const url of ['/api/products', '/api/orders', '/api/shipments?orderId=x', `/api/orders/${'0'.repeat(8)}-0000-0000-0000-000000000000`]) {
        const response = await t.admin().get(`${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(bad)}`);
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.errors[0].path).toBe('minPosition');
      }
    }
  });
});

describe('minPosition on a read model held back', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({ READ_WAIT_MS: '300' }, { autoStart: false });
  });
  afterAll(() => t.stop());

  it('waits for the read model, answers once it has caught up, and past READ_WAIT_MS answers 503 with Retry-After: 1', async () => {
    const commands = t.system.container.get<InventoryCommands>(InventoryTokens.InventoryCommands);
    const created = await commands.createProduct({ sku: 'HELD-1', name: 'Held', price: 2, initialStock: 5 });
    if (!created.ok) throw new Error('not created');
    const position = created.position!;

    // Nothing applies the event: the read gives up after READ_WAIT_MS.
    const behind = await t.http().get(`/api/products/HELD-1?minPosition=${position}`);
    expect(behind.status).toBe(503);
    expect(behind.headers['retry-after']).toBe('1');
    expect(behind.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Without minPosition the read model answers what it has.
    expect((await t.http().get('/api/products/HELD-1')).status).toBe(404);

    // Held while the read model starts: it answers as soon as it has applied the position.
    const waiting = t.http().get(`/api/products/HELD-1?minPosition=${position}`).then((response) => response);
    setTimeout(() => t.system.projections.start(), 50);
    const caughtUp = await waiting;
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body.stock.onHand).toBe(5);
  });

  it('a position the store has not reached yet is waited for like any other, then 503', async () => {
    const head = await t.system.eventStore.headCheckpoint({ kind: 'all' });
    const response = await t.http().get(`/api/products?minPosition=${head + 1000n}`);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
  });
});
