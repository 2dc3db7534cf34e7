import { newEventId } from '../../src/shared/application/event-ids';
import { createProduct, eventsOf, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

interface Envelope {
  eventId: string;
  eventType: string;
  aggregateId: string;
  aggregateType: string;
  position: string;
  metadata: { correlationId?: string };
  [field: string]: unknown;
}

describe('GET /api/events and /api/events/:eventId', () => {
  let t: TestSystem;
  let shipped: string;
  let declined: string;
  const list = async (query: string) => {
    const response = await t.admin().get(`/api/events${query}`);
    expect(response.status).toBe(200);
    return response.body as { events: Envelope[]; nextPosition: string | null };
  };
  const everything = async () => (await list('?limit=1000')).events;

  beforeAll(async () => {
    t = await startTestSystem();
    await createProduct(t, 'WIDGET-1', 10);
    shipped = await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 2 }]);
    declined = await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }], 'tok_chargeDeclined');
    await eventuallyStatus(t, shipped, 'SHIPPED');
    await eventuallyStatus(t, declined, 'PAYMENT_FAILED');
  });
  afterAll(() => t.stop());

  it('answers each event in the contract envelope, in store order, 100 by default', async () => {
    const { events, nextPosition } = await list('');
    expect(events.length).toBe(Math.min(100, await t.eventCount()));
    expect(nextPosition).toBeNull();
    const positions = events.map((event) => BigInt(event.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    const [placed] = await eventsOf(t, shipped);
    expect(events.find((event) => event.eventId === placed!.id)).toEqual({
      eventId: placed!.id,
      eventType: 'OrderPlaced',
      aggregateId: shipped,
      aggregateType: 'Order',
      occurredAt: placed!.createdAt.toISOString(),
      payload: expect.objectContaining({ orderId: shipped, customerId: 'cust_saga', total: 20 }),
      version: 1,
      storedVersion: 1,
      streamRevision: 0,
      position: placed!.position.toString(),
      metadata: expect.objectContaining({ correlationId: shipped }),
    });
  });

  it('filters by correlation id: the whole life of one order, across its streams', async () => {
    const { events } = await list(`?correlationId=${shipped}`);
    expect(events.map((event) => event.eventId)).toEqual((await eventsOf(t, shipped)).map((event) => event.id));
    expect(new Set(events.map((event) => event.aggregateType))).toEqual(new Set(['Order', 'Inventory', 'Product', 'Payment', 'Shipment']));
  });

  it('filters by aggregate id, type and event type, and combines filters with AND', async () => {
    const all = await everything();
    const expectIds = (got: Envelope[], predicate: (event: Envelope) => boolean) =>
      expect(got.map((event) => event.eventId)).toEqual(all.filter(predicate).map((event) => event.eventId));
    expectIds((await list(`?aggregateId=${shipped}`)).events, (event) => event.aggregateId === shipped);
    expectIds((await list('?aggregateType=Payment')).events, (event) => event.aggregateType === 'Payment');
    expectIds((await list('?eventType=OrderPlaced')).events, (event) => event.eventType === 'OrderPlaced');
    expectIds(
      (await list(`?aggregateType=Order&correlationId=${declined}`)).events,
      (event) => event.aggregateType === 'Order' && event.metadata.correlationId === declined,
    );
    expectIds(
      (await list(`?eventType=OrderPlaced&aggregateId=${declined}&aggregateType=Order&correlationId=${declined}`)).events,
      (event) => event.eventType === 'OrderPlaced' && event.aggregateId === declined,
    );
    expect((await list(`?eventType=OrderShipped&correlationId=${declined}`)).events).toEqual([]);
  });

  it('pages: `after` is exclusive, nextPosition leads to the next page and is null on the last one', async () => {
    const all = await everything();
    const collected: Envelope[] = [];
    let query = '?limit=7';
    for (;;) {
      const page = await list(query);
      collected.push(...page.events);
      if (page.nextPosition === null) break;
      expect(page.events).toHaveLength(7);
      expect(page.nextPosition).toBe(page.events[6]!.position);
      query = `?limit=7&after=${page.nextPosition}`;
    }
    expect(collected).toEqual(all);
    expect((await list(`?after=${all[2]!.position}&limit=1`)).events[0]).toEqual(all[3]);
    expect((await list(`?after=${all[all.length - 1]!.position}`)).events).toEqual([]);
  });

  it('reports the schema version from the metadata, and the id of a stream without one', async () => {
    await t.system.eventStore.append('Audit', [{ id: newEventId(), type: 'Marked', data: {}, metadata: { schemaVersion: 2 } }], 'any');
    const [event] = (await list('?aggregateType=Audit')).events;
    expect(event).toMatchObject({ eventType: 'Marked', aggregateType: 'Audit', aggregateId: '', version: 2 });
  });

  it('answers one event by id, 404 for an id it does not hold', async () => {
    const [first] = await everything();
    const one = await t.admin().get(`/api/events/${first!.eventId}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first);
    for (const id of [newEventId(), 'not-an-id', 'x'.repeat(300)]) {
      const missing = await t.admin().get(`/api/events/${id}`);
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it.each([
    ['an unknown parameter', '?stream=Order-1'],
    ['a limit of 0', '?limit=0'],
    ['a limit over 1000', '?limit=1001'],
    ['a limit that is not a number', '?limit=ten'],
    ['a fractional limit', '?limit=1.5'],
    ['a position that is not digits', '?after=abc'],
    ['a negative position', '?after=-1'],
    ['a position beyond 2^63-1', '?after=9223372036854775808'],
    ['a position of 20 digits', '?after=10000000000000000000'],
    ['a filter given twice', '?eventType=OrderPlaced&eventType=OrderPaid'],
    ['an empty filter', '?correlationId='],
  ])('answers 400 problem+json with errors[] for %s', async (_what, query) => {
    const response = await t.admin().get(`/api/events${query}`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: expect.any(String), message: expect.any(String) })] });
  });

  it('accepts a limit of 1000', async () => {
    expect((await t.admin().get('/api/events?limit=1000')).status).toBe(200);
  });

  it('is for admins only', async () => {
    expect((await t.http().get('/api/events')).status).toBe(401);
    expect((await t.http().get(`/api/events/${newEventId()}`)).status).toBe(401);
    expect((await t.http().get('/api/events').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
  });
});
