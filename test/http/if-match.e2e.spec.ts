import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

/** Commands on an existing resource honour If-Match: a stale ETag is 412 and writes nothing. */
describe('If-Match on commands', () => {
  let t: TestSystem;
  beforeAll(async () => {
    // A slow gateway keeps an order CONFIRMED long enough to cancel it.
    t = await startTestSystem({ PAYMENT_DELAY_MS: '1000' });
    await createProduct(t, 'MATCH-1', 100);
  });
  afterAll(() => t.stop());

  it('cancels an order whose ETag is current, and refuses a stale one with 412, writing nothing', async () => {
    const orderId = await placeOrder(t, [{ sku: 'MATCH-1', quantity: 1 }]);
    const placedTag = (await t.http().get(`/api/orders/${orderId}`)).headers.etag as string;
    await eventuallyStatus(t, orderId, 'CONFIRMED');
    const current = (await t.http().get(`/api/orders/${orderId}`)).headers.etag as string;
    expect(current).not.toBe(placedTag);

    const before = await t.eventCount();
    const stale = await t.http().post(`/api/orders/${orderId}/cancel`).set('If-Match', placedTag).send({});
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ type: '/problems/precondition-failed', status: 412, instance: `/api/orders/${orderId}/cancel` });
    expect((await t.http().get(`/api/orders/${orderId}`)).body.status).toBe('CONFIRMED');
    const weak = await t.http().post(`/api/orders/${orderId}/cancel`).set('If-Match', `W/${current}`).send({});
    expect(weak.status).toBe(412);
    expect(await t.eventCount()).toBe(before);

    const accepted = await t.http().post(`/api/orders/${orderId}/cancel`).set('If-Match', `"999", ${current}`).send({});
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('CANCELLED');
  });

  it('restocks a product with its ETag from the last write, and refuses the one before', async () => {
    const first = await t.admin().post('/api/products/MATCH-1/restock').send({ quantity: 1 });
    expect(first.status).toBe(200);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"\d+"$/);
    const second = await t.admin().post('/api/products/MATCH-1/restock').set('If-Match', tag).send({ quantity: 1 });
    expect(second.status).toBe(200);
    const stale = await t.admin().post('/api/products/MATCH-1/restock').set('If-Match', tag).send({ quantity: 1 });
    expect(stale.status).toBe(412);
    expect((await t.admin().post('/api/products/MATCH-1/restock').set('If-Match', '*').send({ quantity: 1 })).status).toBe(200);
  });

  it('dispatches a shipment only at the version named', async () => {
    const orderId = await placeOrder(t, [{ sku: 'MATCH-1', quantity: 1 }]);
    const { shipmentId } = await eventuallyStatus(t, orderId, 'SHIPPED', 15000);
    const stale = await t.admin().post(`/api/shipments/${shipmentId}/dispatch`).set('If-Match', '"5"').send({});
    expect(stale.status).toBe(412);
    const dispatched = await t.admin().post(`/api/shipments/${shipmentId}/dispatch`).set('If-Match', '"0"').send({});
    expect(dispatched.status).toBe(200);
    expect(dispatched.headers.etag).toBe('"1"');
    expect((await t.admin().post(`/api/shipments/${shipmentId}/deliver`).set('If-Match', '"0"').send({})).status).toBe(412);
    expect((await t.admin().post(`/api/shipments/${shipmentId}/deliver`).set('If-Match', '"1"').send({})).status).toBe(200);
  });
});
