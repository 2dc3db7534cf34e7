import { address, createProduct } from '../saga/saga-support';
import { describeStoreLegs } from '../support/store-legs';
import { startTestSystem, type TestSystem } from '../support/test-system';

/**
 * Issue #14 item 5: a write answers from the state its command decided on. The order's stream is
 * read to decide (a new order finds it empty, a cancel finds the order), never again after the
 * append for the answer, and the answer is what a GET then shows.
 */
describeStoreLegs('the write path answers from the state it decided on', (leg) => {
  let t: TestSystem;
  const reads: string[] = [];
  let appended = false;

  let sku = 'ANSWER-1';

  beforeAll(async () => {
    sku = leg.uniqueNames()('ANSWER-1');
    t = await startTestSystem(leg.environment, { autoStart: 'read-models' });
    await createProduct(t, sku, 100);
    // The store the system holds is the adapter under layers of proxies (tracing, codecs), each of which calls the
    // layer below; a method set on the outermost lands on the adapter itself, so these see every read and append.
    const store = t.system.eventStore as unknown as Record<'readStream' | 'append', (...args: unknown[]) => Promise<unknown>>;
    const adapter = Object.getPrototypeOf(store) as typeof store;
    store.readStream = async function (this: unknown, ...args: unknown[]) {
      if (appended) reads.push(String(args[0]));
      return adapter.readStream.apply(this, args);
    };
    store.append = async function (this: unknown, ...args: unknown[]) {
      const result = await adapter.append.apply(this, args);
      if (String(args[0]).startsWith('Order-')) appended = true;
      return result;
    };
  });

  afterAll(() => t.stop());

  beforeEach(() => {
    reads.length = 0;
    appended = false;
  });

  it('201: a new order, with no read of its stream after the append, as a GET then shows it', async () => {
    const placed = await t
      .http()
      .post('/api/orders')
      .send({ customerId: 'cust_answer', items: [{ sku, quantity: 2 }], shippingAddress: address, paymentMethod: { token: 'tok_visa' } });
    expect(placed.status).toBe(201);
    expect(appended).toBe(true);
    expect(reads.filter((stream) => stream.startsWith('Order-'))).toEqual([]);
    const got = await t.http().get(`/api/orders/${placed.body.orderId}`);
    expect(got.body).toEqual(placed.body);
    expect(got.header.etag).toBe(placed.header.etag);
    expect(placed.header['event-position']).toBeDefined();
  });

  it('202: a cancelled order, from the read that found it and the state the cancel decided on', async () => {
    const placed = await t
      .http()
      .post('/api/orders')
      .send({ customerId: 'cust_answer', items: [{ sku, quantity: 1 }], shippingAddress: address, paymentMethod: { token: 'tok_visa' } });
    reads.length = 0;
    appended = false;
    const cancelled = await t.http().post(`/api/orders/${placed.body.orderId}/cancel`).send({ reason: 'changed my mind' });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', createdAt: placed.body.createdAt });
    expect(reads.filter((stream) => stream.startsWith('Order-'))).toEqual([]);
    const got = await t.http().get(`/api/orders/${placed.body.orderId}`);
    expect(got.body).toEqual(cancelled.body);
  });
});
