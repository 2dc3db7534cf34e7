import { v7 as uuid } from 'uuid';
import { ordersModule } from '../../src/modules/orders/orders.module';
import { adminToken, startTestSystem, type TestSystem } from '../support/test-system';
import { eventually } from '../../src/shared/testing/eventually';
import { deterministicId } from '../../src/shared/application/event-ids';

const address = { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };
const orderBody = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'cust_alice',
  items: [
    { sku: 'WIDGET-001', quantity: 3 },
    { sku: 'GADGET-002', quantity: 1 },
  ],
  shippingAddress: address,
  paymentMethod: { token: 'tok_visa' },
  ...overrides,
});

/** A product as the inventory module publishes it (its stream starts with ProductCreated), which orders' catalog learns from. */
const givenProduct = (t: TestSystem, sku: string, name: string, price: number) =>
  t.system.eventStore.append(
    `Product-${sku}`,
    [{ id: uuid(), type: 'ProductCreated', data: { sku, name, price, currency: 'USD', initialStock: 100 } }],
    'no_stream',
  );

describe('orders API', () => {
  let t: TestSystem;

  beforeEach(async () => {
    // The orders module alone: nothing moves an order along, so its own API is what is tested.
    t = await startTestSystem({}, { modules: [ordersModule] });
    await givenProduct(t, 'WIDGET-001', 'Premium Widget', 19.99);
    await givenProduct(t, 'GADGET-002', 'Super Gadget', 0.1);
  });

  afterEach(() => t.stop());

  describe('POST /api/orders', () => {
    it('places a PENDING order priced from the catalog, in cents without drift, with Location and ETag', async () => {
      const response = await t.http().post('/api/orders').send(orderBody({ items: [{ sku: 'WIDGET-001', quantity: 3 }, { sku: 'GADGET-002', quantity: 1 }] }));
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`/api/orders/${response.body.orderId}`);
      expect(response.headers.etag).toBe('"0"');
      expect(response.body).toEqual({
        orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        customerId: 'cust_alice',
        status: 'PENDING',
        items: [
          { sku: 'WIDGET-001', name: 'Premium Widget', quantity: 3, unitPrice: 19.99, lineTotal: 59.97 },
          { sku: 'GADGET-002', name: 'Super Gadget', quantity: 1, unitPrice: 0.1, lineTotal: 0.1 },
        ],
        total: 60.07,
        currency: 'USD',
        shippingAddress: address,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const [placed] = await t.system.eventStore.readStream(`Order-${response.body.orderId}`);
      expect(placed).toMatchObject({
        type: 'OrderPlaced',
        metadata: { correlationId: response.body.orderId, causationId: expect.any(String), schemaVersion: 1 },
      });
    });

    it('ignores prices sent by the client: an unknown field is refused', async () => {
      const response = await t.http().post('/api/orders').send(orderBody({ items: [{ sku: 'WIDGET-001', quantity: 1, price: 0.01 }] }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ path: 'items.0' })]);
    });

    it('answers 422 naming every unknown sku, and writes nothing', async () => {
      const before = await t.eventCount();
      const response = await t
        .http()
        .post('/api/orders')
        .send(orderBody({ items: [{ sku: 'NOPE-1', quantity: 1 }, { sku: 'WIDGET-001', quantity: 1 }, { sku: 'NOPE-2', quantity: 1 }] }));
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 422, unknownSkus: ['NOPE-1', 'NOPE-2'] });
      expect(await t.eventCount()).toBe(before);
    });

    it('defaults the payment method to tok_visa', async () => {
      const response = await t.http().post('/api/orders').send(orderBody({ paymentMethod: undefined }));
      const [placed] = await t.system.eventStore.readStream(`Order-${response.body.orderId}`);
      const { tokenRef } = (placed!.data as { paymentMethod: { tokenRef: string } }).paymentMethod;
      expect(await t.system.eventStore.secrets.read(tokenRef)).toBe('tok_visa');
    });

    it('keeps the payment token out of the log: OrderPlaced names a reference to it, kept apart', async () => {
      const response = await t.http().post('/api/orders').send(orderBody({ paymentMethod: { token: 'tok_secret_4242' } }));
      const [placed] = await t.system.eventStore.readStream(`Order-${response.body.orderId}`);
      expect((placed!.data as { paymentMethod: unknown }).paymentMethod).toEqual({ tokenRef: `payment-token:${response.body.orderId}` });
      expect(JSON.stringify((await t.readEvents()).map(({ event }) => [event.data, event.metadata]))).not.toContain('tok_secret_4242');
      const audit = await t.admin().get(`/api/events?aggregateId=${response.body.orderId}`);
      expect(audit.status).toBe(200);
      expect(JSON.stringify(audit.body)).not.toContain('tok_secret_4242');
      expect(await t.system.eventStore.secrets.read(`payment-token:${response.body.orderId}`)).toBe('tok_secret_4242');
    });
  });

  describe('Idempotency-Key', () => {
    it('answers the same key and body with the same order and no second OrderPlaced', async () => {
      const first = await t.http().post('/api/orders').set('Idempotency-Key', 'key-1').send(orderBody());
      const again = await t.http().post('/api/orders').set('Idempotency-Key', 'key-1').send(orderBody());
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(await t.system.eventStore.readEventType('OrderPlaced')).toHaveLength(1);
    });

    it('treats a reordering of the same body as the same request', async () => {
      const first = await t.http().post('/api/orders').set('Idempotency-Key', 'key-2').send(orderBody());
      const { customerId, ...rest } = orderBody();
      const again = await t.http().post('/api/orders').set('Idempotency-Key', 'key-2').send({ ...rest, customerId });
      expect(again.body.orderId).toBe(first.body.orderId);
    });

    it('answers the same key with another body 422 and writes nothing', async () => {
      await t.http().post('/api/orders').set('Idempotency-Key', 'key-3').send(orderBody());
      const before = await t.eventCount();
      const other = await t.http().post('/api/orders').set('Idempotency-Key', 'key-3').send(orderBody({ customerId: 'cust_bob' }));
      expect(other.status).toBe(422);
      expect(other.body.detail).toMatch(/Idempotency-Key/);
      expect(await t.eventCount()).toBe(before);
    });

    it('places one order when requests with one key race', async () => {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.http().post('/api/orders').set('Idempotency-Key', 'key-race').send(orderBody())),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
      expect(new Set(responses.map((response) => response.body.orderId)).size).toBe(1);
      expect(await t.system.eventStore.readEventType('OrderPlaced')).toHaveLength(1);
    });

    it('derives an order id nobody can compute from the key: not its bare hash, and another installation makes another', async () => {
      const first = await t.http().post('/api/orders').set('Idempotency-Key', 'guessable-1').send(orderBody());
      expect(first.status).toBe(201);
      // What the id was before keyed ids: a hash of the key alone, which anyone could compute.
      expect(first.body.orderId).not.toBe(deterministicId('idempotency-key:guessable-1', 'order'));
      const [placed] = await t.system.eventStore.readStream(`Order-${first.body.orderId}`);
      expect(JSON.stringify(placed!.metadata)).not.toContain('guessable-1');
      const other = await startTestSystem({}, { modules: [ordersModule] });
      try {
        await givenProduct(other, 'WIDGET-001', 'Premium Widget', 19.99);
        await givenProduct(other, 'GADGET-002', 'Super Gadget', 0.1);
        const elsewhere = await other.http().post('/api/orders').set('Idempotency-Key', 'guessable-1').send(orderBody());
        expect(elsewhere.status).toBe(201);
        expect(elsewhere.body.orderId).not.toBe(first.body.orderId);
      } finally {
        await other.stop();
      }
    });

    it('refuses a key longer than 255 characters', async () => {
      const response = await t.http().post('/api/orders').set('Idempotency-Key', 'k'.repeat(256)).send(orderBody());
      expect(response.status).toBe(400);
    });
  });

  describe('GET /api/orders/:orderId', () => {
    it('reads its own write at once, with an ETag, and answers 304 to If-None-Match', async () => {
      const placed = await t.http().post('/api/orders').send(orderBody());
      const read = await t.http().get(`/api/orders/${placed.body.orderId}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(placed.body);
      expect(read.headers.etag).toBe('"0"');
      const notModified = await t.http().get(`/api/orders/${placed.body.orderId}`).set('If-None-Match', '"0"');
      expect(notModified.status).toBe(304);
    });

    it('never answers 404 right after the 201, under many concurrent placements', async () => {
      const reads = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const placed = await t.http().post('/api/orders').send(orderBody());
          return (await t.http().get(`/api/orders/${placed.body.orderId}`)).status;
        }),
      );
      expect(reads).toEqual(Array(50).fill(200));
    });

    it.each([uuid(), 'not-a-uuid', '..%2f..%2fetc'])('answers 404 problem+json for %s', async (orderId) => {
      const response = await t.http().get(`/api/orders/${orderId}`);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    });
  });

  describe('POST /api/orders/:orderId/cancel', () => {
    it('cancels a PENDING order with 202 and the reason, then refuses a second cancel with 409', async () => {
      const placed = await t.http().post('/api/orders').send(orderBody());
      const cancelled = await t.http().post(`/api/orders/${placed.body.orderId}/cancel`).send({ reason: 'changed my mind' });
      expect(cancelled.status).toBe(202);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' });
      expect(cancelled.headers.etag).toBe('"1"');
      const again = await t.http().post(`/api/orders/${placed.body.orderId}/cancel`).send({});
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('accepts a cancel with no body at all', async () => {
      const placed = await t.http().post('/api/orders').send(orderBody());
      const cancelled = await t.http().post(`/api/orders/${placed.body.orderId}/cancel`);
      expect(cancelled.status).toBe(202);
    });

    it('answers 404 for an unknown order and writes nothing', async () => {
      const before = await t.eventCount();
      expect((await t.http().post(`/api/orders/${uuid()}/cancel`).send({})).status).toBe(404);
      expect(await t.eventCount()).toBe(before);
    });

    it('refuses a reason over 500 characters', async () => {
      const placed = await t.http().post('/api/orders').send(orderBody());
      expect((await t.http().post(`/api/orders/${placed.body.orderId}/cancel`).send({ reason: 'x'.repeat(501) })).status).toBe(400);
    });
  });

  describe('GET /api/orders (admin)', () => {
    it('needs the admin token', async () => {
      expect((await t.http().get('/api/orders')).status).toBe(401);
      expect((await t.http().get('/api/orders').set('Authorization', 'Bearer wrong-token-wrong-token')).status).toBe(401);
      expect((await t.http().get('/api/orders').set('Authorization', `Bearer ${adminToken}`)).status).toBe(200);
    });

    it('lists newest first, filters by status and customer, and pages with nextCursor', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const placed = await t.http().post('/api/orders').send(orderBody({ customerId: n % 2 === 0 ? 'cust_even' : 'cust_odd' }));
        ids.push(placed.body.orderId);
      }
      await t.http().post(`/api/orders/${ids[0]}/cancel`).send({});
      await eventually(async () => {
        const all = await t.admin().get('/api/orders');
        expect(all.body.items.map((order: { orderId: string }) => order.orderId)).toEqual([...ids].reverse());
        expect(all.body.items[4].status).toBe('CANCELLED');
      });
      const even = await t.admin().get('/api/orders?customerId=cust_even');
      expect(even.body.items).toHaveLength(3);
      const cancelled = await t.admin().get('/api/orders?status=CANCELLED');
      expect(cancelled.body.items.map((order: { orderId: string }) => order.orderId)).toEqual([ids[0]]);
      const first = await t.admin().get('/api/orders?limit=2');
      expect(first.body.items).toHaveLength(2);
      const second = await t.admin().get(`/api/orders?limit=2&cursor=${first.body.nextCursor}`);
      const third = await t.admin().get(`/api/orders?limit=2&cursor=${second.body.nextCursor}`);
      expect([...first.body.items, ...second.body.items, ...third.body.items].map((order: { orderId: string }) => order.orderId)).toEqual(
        [...ids].reverse(),
      );
      expect(third.body.nextCursor).toBeNull();
    });

    it.each(['limit=1001', 'limit=0', 'limit=abc', 'status=LOST', 'cursor=-1', 'unknown=1', 'limit=1&limit=2'])(
      'answers 400 to ?%s',
      async (query) => {
        const response = await t.admin().get(`/api/orders?${query}`);
        expect(response.status).toBe(400);
        expect(response.body.errors.length).toBeGreaterThan(0);
      },
    );
  });

  describe('bad input changes nothing', () => {
    const long = (n: number) => 'x'.repeat(n);
    const cases: Array<[string, unknown]> = [
      ['no items', orderBody({ items: [] })],
      ['51 items', orderBody({ items: Array.from({ length: 51 }, (_, n) => ({ sku: `SKU-${n}`, quantity: 1 })) })],
      ['the same sku twice', orderBody({ items: [{ sku: 'WIDGET-001', quantity: 1 }, { sku: 'WIDGET-001', quantity: 2 }] })],
      ['quantity 0', orderBody({ items: [{ sku: 'WIDGET-001', quantity: 0 }] })],
      ['quantity 1001', orderBody({ items: [{ sku: 'WIDGET-001', quantity: 1001 }] })],
      ['quantity 1.5', orderBody({ items: [{ sku: 'WIDGET-001', quantity: 1.5 }] })],
      ['quantity as a string', orderBody({ items: [{ sku: 'WIDGET-001', quantity: '1' }] })],
      ['a lower-case sku', orderBody({ items: [{ sku: 'widget-001', quantity: 1 }] })],
      ['an empty customerId', orderBody({ customerId: '' })],
      ['a customerId of 65', orderBody({ customerId: long(65) })],
      ['a street of 201', orderBody({ shippingAddress: { ...address, street: long(201) } })],
      ['an empty city', orderBody({ shippingAddress: { ...address, city: '' } })],
      ['a state of 101', orderBody({ shippingAddress: { ...address, state: long(101) } })],
      ['a zip of 21', orderBody({ shippingAddress: { ...address, zip: long(21) } })],
      ['country USA', orderBody({ shippingAddress: { ...address, country: 'USA' } })],
      ['country XX', orderBody({ shippingAddress: { ...address, country: 'XX' } })],
      ['an unknown address field', orderBody({ shippingAddress: { ...address, planet: 'Mars' } })],
      ['an empty token', orderBody({ paymentMethod: { token: '' } })],
      ['a token of 101', orderBody({ paymentMethod: { token: long(101) } })],
      ['an unknown top-level field', orderBody({ total: 0.01 })],
      ['no shipping address', orderBody({ shippingAddress: undefined })],
      ['an array body', [orderBody()]],
      ['a null body', null],
    ];

    it.each(cases)('answers %s with 400 problem+json and errors[]', async (_name, body) => {
      const before = await t.eventCount();
      const response = await t.http().post('/api/orders').set('content-type', 'application/json').send(JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, detail: expect.any(String) });
      expect(await t.eventCount()).toBe(before);
    });

    it.each<[string, string, string, number]>([
      ['malformed JSON', 'application/json', '{"customerId":', 400],
      ['text/plain', 'text/plain', 'hello', 415],
      ['a form', 'application/x-www-form-urlencoded', 'customerId=a', 415],
      ['a body over 64 KiB', 'application/json', JSON.stringify(orderBody({ customerId: long(70 * 1024) })), 413],
      ['a __proto__ key', 'application/json', `{"customerId":"a","__proto__":{"admin":true}}`, 400],
      ['a nested constructor key', 'application/json', `{"shippingAddress":{"constructor":{"prototype":{"x":1}}}}`, 400],
    ])('answers %s with its 4xx problem+json', async (_name, contentType, body, status) => {
      const before = await t.eventCount();
      const response = await t.http().post('/api/orders').set('content-type', contentType).send(body);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(await t.eventCount()).toBe(before);
    });
  });
});
