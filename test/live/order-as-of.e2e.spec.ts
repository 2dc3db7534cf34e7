import { createProduct, eventsOf, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

describe('an order as it was: GET /api/orders/:orderId?asOf=<position> (CONTRACT §6)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({ READ_WAIT_MS: '200' });
    await createProduct(t, 'ASOF-1', 10);
  });
  afterAll(() => t.stop());

  it("answers the order folded from its own events up to the position, at every step of its life, and 404 before it existed", async () => {
    const orderId = await placeOrder(t, [{ sku: 'ASOF-1', quantity: 2 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    const events = await eventsOf(t, orderId);
    const statusAfter: Record<string, string> = {
      OrderPlaced: 'PENDING',
      OrderConfirmed: 'CONFIRMED',
      OrderPaid: 'PAID',
      OrderShipped: 'SHIPPED',
    };
    let expected: string | undefined;
    for (const event of events) {
      expected = statusAfter[event.type] ?? expected;
      const response = await t.http().get(`/api/orders/${orderId}?asOf=${event.position}`);
      expect({ type: event.type, status: response.body.status }).toEqual({ type: event.type, status: expected });
    }
    const paid = events.find((event) => event.type === 'OrderPaid')!;
    const asPaid = await t.http().get(`/api/orders/${orderId}?asOf=${paid.position}`);
    expect(asPaid.body).toMatchObject({ status: 'PAID', paymentId: expect.any(String) });
    expect(asPaid.body.trackingNumber).toBeUndefined();
    expect(asPaid.headers.etag).toBe(`"${paid.revision}"`);

    const placed = events[0]!;
    expect((await t.http().get(`/api/orders/${orderId}?asOf=${placed.position - 1n}`)).status).toBe(404);
  });

  it('a malformed position is a 400, and one the store has not reached a 503 with Retry-After', async () => {
    const orderId = await placeOrder(t, [{ sku: 'ASOF-1', quantity: 1 }]);
    const malformed = await t.http().get(`/api/orders/${orderId}?asOf=yesterday`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe('asOf');
    const head = await t.system.eventStore.headCheckpoint({ kind: 'all' });
    const future = await t.http().get(`/api/orders/${orderId}?asOf=${head + 1000n}`);
    expect(future.status).toBe(503);
    expect(future.headers['retry-after']).toBe('1');
  });
});
