import type { EventFilter } from '../../src/event-store/event-query.port';
import type { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { eventually } from '../../src/shared/testing/eventually';
import { createProduct, eventsOf, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { openSse, type SseClient } from '../support/sse-client';
import { type ServedSystem, serveTestSystem } from '../support/served-system';
import { adminToken } from '../support/test-system';

const admin = { authorization: `Bearer ${adminToken}` };

const positions = (client: SseClient) => client.messages.map((message) => message.id);

describe('an order stream: GET /api/orders/:orderId/stream (CONTRACT §6)', () => {
  let s: ServedSystem;
  beforeAll(async () => {
    s = await serveTestSystem({ STREAM_HEARTBEAT_MS: '50' });
    await createProduct(s.t, 'LIVE-1', 1000);
  });
  afterAll(() => s.stop());

  it('sends the history, then the events as they are committed, each once, in store order, in the SSE format', async () => {
    const orderId = await placeOrder(s.t, [{ sku: 'LIVE-1', quantity: 1 }]);
    const client = await openSse(s.url(`/api/orders/${orderId}/stream`));
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(client.headers['cache-control']).toMatch(/no-cache/);
    await client.waitFor((message) => message.event === 'OrderShipped');
    const stored = await eventsOf(s.t, orderId);
    expect(positions(client)).toEqual(stored.map((event) => event.position.toString()));
    expect(client.messages.map((message) => message.event)).toEqual(stored.map((event) => event.type));
    const placed = client.messages[0]!;
    expect(placed.data).toMatchObject({ eventType: 'OrderPlaced', aggregateType: 'Order', aggregateId: orderId, position: placed.id });
    expect(placed.data.metadata).toMatchObject({ correlationId: orderId });
    // A heartbeat: a comment line on an idle stream.
    await eventually(() => expect(client.comments).toContain('heartbeat'));
    client.close();
  });

  it('switches from history to live with no gap and no duplicate while many orders are being appended at once', async () => {
    const orderIds = await Promise.all(Array.from({ length: 12 }, () => placeOrder(s.t, [{ sku: 'LIVE-1', quantity: 1 }])));
    // Each stream opens at a different moment of its order's saga: the switch falls anywhere.
    const clients = await Promise.all(orderIds.map((orderId) => openSse(s.url(`/api/orders/${orderId}/stream`))));
    await Promise.all(clients.map((client) => client.waitFor((message) => message.event === 'OrderShipped')));
    for (const [index, orderId] of orderIds.entries()) {
      const stored = await eventsOf(s.t, orderId);
      expect(positions(clients[index]!)).toEqual(stored.map((event) => event.position.toString()));
    }
    for (const client of clients) client.close();
  });

  it('resumes after Last-Event-ID, or after ?after= (the header wins); a malformed one is a 400', async () => {
    const orderId = await placeOrder(s.t, [{ sku: 'LIVE-1', quantity: 1 }]);
    await eventuallyStatus(s.t, orderId, 'SHIPPED');
    const stored = (await eventsOf(s.t, orderId)).map((event) => event.position.toString());
    const resumed = await openSse(s.url(`/api/orders/${orderId}/stream?after=${stored[0]}`), { 'Last-Event-ID': stored[2]! });
    await resumed.waitFor((message) => message.id === stored[stored.length - 1]);
    expect(positions(resumed)).toEqual(stored.slice(3));
    resumed.close();
    const after = await openSse(s.url(`/api/orders/${orderId}/stream?after=${stored[1]}`));
    await after.waitFor((message) => message.id === stored[stored.length - 1]);
    expect(positions(after)).toEqual(stored.slice(2));
    after.close();

    const malformed = await openSse(s.url(`/api/orders/${orderId}/stream`), { 'Last-Event-ID': 'abc' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await openSse(s.url(`/api/orders/${orderId}/stream?after=x`))).status).toBe(400);
  });

  it('is a 404 for an order that does not exist', async () => {
    expect((await openSse(s.url('/api/orders/00000000-0000-4000-8000-000000000000/stream'))).status).toBe(404);
    expect((await openSse(s.url('/api/orders/not-an-id/stream'))).status).toBe(404);
  });

  it('costs nothing while its order is idle: other orders committing do not make it read', async () => {
    const quiet = await placeOrder(s.t, [{ sku: 'LIVE-1', quantity: 1 }]);
    await eventuallyStatus(s.t, quiet, 'SHIPPED');
    const query = (s.t.system.eventStore as SqliteEventStore).eventQuery;
    const find = jest.spyOn(query, 'find');
    const readsOfQuiet = () => find.mock.calls.filter(([filter]: [EventFilter]) => filter.correlationId === quiet).length;
    const client = await openSse(s.url(`/api/orders/${quiet}/stream`));
    await client.waitFor((message) => message.event === 'OrderShipped');
    const before = readsOfQuiet();
    const busy = await placeOrder(s.t, [{ sku: 'LIVE-1', quantity: 1 }]);
    await eventuallyStatus(s.t, busy, 'SHIPPED');
    expect(readsOfQuiet()).toBe(before);
    find.mockRestore();
    client.close();
  });
});

describe('the whole log: GET /api/events/stream (admin)', () => {
  let s: ServedSystem;
  beforeAll(async () => {
    s = await serveTestSystem();
    await createProduct(s.t, 'LOG-1', 1000);
  });
  afterAll(() => s.stop());

  it('needs the admin token, and takes the filters of /api/events (no limit)', async () => {
    expect((await openSse(s.url('/api/events/stream'))).status).toBe(401);
    expect((await openSse(s.url('/api/events/stream?limit=5'), admin)).status).toBe(400);
    expect((await openSse(s.url('/api/events/stream?after=-1'), admin)).status).toBe(400);
  });

  it('sends every event that matches its filters, history then live, without gap or duplicate under concurrent appends', async () => {
    const start = await s.t.system.eventStore.headCheckpoint({ kind: 'all' });
    const placedOnly = await openSse(s.url(`/api/events/stream?eventType=OrderPlaced&after=${start}`), admin);
    const orders = await openSse(s.url(`/api/events/stream?aggregateType=Order&after=${start}`), admin);
    const orderIds = await Promise.all(Array.from({ length: 8 }, () => placeOrder(s.t, [{ sku: 'LOG-1', quantity: 1 }])));
    const all = await openSse(s.url(`/api/events/stream?after=${start}`), admin);
    await Promise.all(orderIds.map((orderId) => eventuallyStatus(s.t, orderId, 'SHIPPED')));
    const stored = (await s.t.readEvents()).map(({ event }) => event).filter((event) => event.position > start);
    const expectFrom = async (client: SseClient, expected: typeof stored) => {
      await client.waitFor((message) => message.id === expected[expected.length - 1]!.position.toString());
      expect(positions(client)).toEqual(expected.map((event) => event.position.toString()));
      client.close();
    };
    await expectFrom(placedOnly, stored.filter((event) => event.type === 'OrderPlaced'));
    await expectFrom(orders, stored.filter((event) => event.streamName.startsWith('Order-')));
    await expectFrom(all, stored);
  });
});

describe('open streams are bounded, and a stop ends them', () => {
  let s: ServedSystem;
  beforeAll(async () => {
    s = await serveTestSystem({ MAX_EVENT_STREAMS: '2' });
    await createProduct(s.t, 'CAP-1', 10);
  });
  afterAll(() => s.stop());

  it('answers 503 with Retry-After past MAX_EVENT_STREAMS, and has room again once one closes', async () => {
    const orderId = await placeOrder(s.t, [{ sku: 'CAP-1', quantity: 1 }]);
    const first = await openSse(s.url(`/api/orders/${orderId}/stream`));
    const second = await openSse(s.url('/api/events/stream'), admin);
    const refused = await openSse(s.url(`/api/orders/${orderId}/stream`));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.body())).toMatchObject({ status: 503, type: '/problems/too-many-streams' });
    first.close();
    await eventually(() => expect(s.t.system.streams.size).toBe(1));
    const third = await openSse(s.url(`/api/orders/${orderId}/stream`));
    expect(third.status).toBe(200);
    third.close();
    second.close();
  });

  it('ends every open stream when the system stops', async () => {
    const orderId = await placeOrder(s.t, [{ sku: 'CAP-1', quantity: 1 }]);
    await eventually(() => expect(s.t.system.streams.size).toBe(0));
    const client = await openSse(s.url(`/api/orders/${orderId}/stream`));
    await client.waitFor((message) => message.event === 'OrderPlaced');
    await s.t.system.streams.close();
    await client.ended;
    expect(s.t.system.streams.size).toBe(0);
    expect((await openSse(s.url(`/api/orders/${orderId}/stream`))).status).toBe(503);
  });
});
