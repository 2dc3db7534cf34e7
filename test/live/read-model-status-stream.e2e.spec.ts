import type Database from 'better-sqlite3';
import type { Projection } from '../../src/shared/read-models/projection';
import { ProjectionCatalog } from '../../src/shared/read-models/projection-catalog';
import type { ProjectionStatus } from '../../src/shared/read-models/projection-runner';
import { eventually } from '../../src/shared/testing/eventually';
import { SharedTokens } from '../../src/shared/tokens';
import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { type ServedSystem, serveTestSystem } from '../support/served-system';
import { openSse, type SseClient, type SseMessage } from '../support/sse-client';
import { adminToken } from '../support/test-system';

const admin = { authorization: `Bearer ${adminToken}` };

const ordersIn = (message: SseMessage): ProjectionStatus | undefined =>
  (message.data as unknown as { items: ProjectionStatus[] }).items.find((item) => item.name === 'orders');

const statusMessages = (client: SseClient) => client.messages.filter((message) => message.event === 'status');

describe('the read models as they change: GET /api/admin/projections/stream (the console, CONTRACT §6)', () => {
  let s: ServedSystem;
  beforeAll(async () => {
    s = await serveTestSystem();
    await createProduct(s.t, 'STATUS-1', 100);
  });
  afterAll(() => s.stop());

  it('needs the admin token, and takes no query', async () => {
    expect((await openSse(s.url('/api/admin/projections/stream'))).status).toBe(401);
    expect((await openSse(s.url('/api/admin/projections/stream?x=1'), admin)).status).toBe(400);
  });

  it('sends the status at once, as GET /api/admin/projections answers it, then again when events move a read model', async () => {
    const client = await openSse(s.url('/api/admin/projections/stream'), admin);
    expect(client.status).toBe(200);
    const first = await client.waitFor((message) => message.event === 'status');
    expect(first.data).toEqual((await s.t.admin().get('/api/admin/projections')).body);
    const orderId = await placeOrder(s.t, [{ sku: 'STATUS-1', quantity: 1 }]);
    await eventuallyStatus(s.t, orderId, 'SHIPPED');
    const { body } = await s.t.admin().get('/api/admin/projections');
    const served = body.items.find((item: ProjectionStatus) => item.name === 'orders').position;
    await client.waitFor((message) => ordersIn(message)?.position === served);
    client.close();
  });

  it("shows a rebuild run by another process as it starts, as its progress moves with no event, and as it ends", async () => {
    const db = s.t.system.container.get<Database.Database>(SharedTokens.ReadModelDatabase);
    const orders = s.t.system.container.getAll<Projection>(SharedTokens.Projections).find((projection) => projection.name === 'orders')!;
    const catalog = new ProjectionCatalog(db);
    const client = await openSse(s.url('/api/admin/projections/stream'), admin);
    await client.waitFor((message) => ordersIn(message)?.status === 'live');
    // A rebuild owned by a process on another host: alive as long as its heartbeat is fresh.
    const owner = '4242@another-host#status-stream-test';
    const claimed = catalog.claimRebuild(orders, owner, () => false);
    expect(claimed).not.toBe('busy');
    await client.waitFor((message) => ordersIn(message)?.status === 'rebuilding' && ordersIn(message)?.progress === 0);
    const head = await s.t.system.eventStore.headCheckpoint({ kind: 'category', category: orders.category });
    catalog.saveRebuildCheckpoint('orders', owner, head / 2n);
    await client.waitFor((message) => (ordersIn(message)?.progress ?? 0) > 0 && (ordersIn(message)?.progress ?? 1) < 1);
    catalog.abandon('orders', owner);
    await eventually(() => expect(ordersIn(statusMessages(client).at(-1)!)?.status).toBe('live'));
    client.close();
  });

  it('sends nothing while nothing changes, and ends when the system stops', async () => {
    const client = await openSse(s.url('/api/admin/projections/stream'), admin);
    await client.waitFor((message) => message.event === 'status');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(statusMessages(client)).toHaveLength(1);
    await s.t.system.streams.close();
    await client.ended;
  });
});
