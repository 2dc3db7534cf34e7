import Database from 'better-sqlite3';
import { ContainerModule } from 'inversify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemModules } from '../../src/container';
import type { ReplayedEvent } from '../../src/event-store/event-store.port';
import type { Projection, TableNames } from '../../src/shared/read-models/projection';
import { ownTableNames } from '../../src/shared/read-models/projection';
import { SharedTokens } from '../../src/shared/tokens';
import { createProduct, placeOrder } from '../saga/saga-support';
import { eventually } from '../../src/shared/testing/eventually';
import { startTestSystem, type TestSystem } from '../support/test-system';

jest.setTimeout(120_000);

const settled = new Set(['SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED']);
type Rows = Record<string, unknown[]>;

const projectionsOf = (t: TestSystem) => t.system.container.getAll<Projection>(SharedTokens.Projections);
const readModelsOf = (t: TestSystem) => t.system.container.get<Database.Database>(SharedTokens.ReadModelDatabase);

/** Every row of every read model, in primary-key order, through the names readers use. */
const snapshot = (db: Database.Database, projections: readonly Projection[]): Rows =>
  Object.fromEntries(projections.flatMap((projection) => projection.tables.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()])));

/** The read models built from scratch, out of the system: every projection applied to its whole category in a fresh database. */
const replayed = async (t: TestSystem, projections: readonly Projection[]): Promise<Rows> => {
  const db = new Database(':memory:');
  for (const projection of projections) {
    const names = ownTableNames(projection);
    projection.setup(db, names);
    const apply = projection.writer(db, names);
    for (const { event } of await t.system.eventStore.readCategory(projection.category, { maxCount: 1_000_000 })) apply(event);
  }
  const rows = snapshot(db, projections);
  db.close();
  return rows;
};

const generations = (db: Database.Database) =>
  Object.fromEntries((db.prepare('SELECT name, generation FROM projection_state').all() as Array<{ name: string; generation: number }>).map((row) => [row.name, row.generation]));

/** Places orders through every flow: shipped (half of them dispatched, some delivered), rejected, payment failed, cancelled. */
const runOrders = async (t: TestSystem, count: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let first = 0; first < count; first += 25) {
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, count - first) }, async (_, offset) => {
          const n = first + offset;
          switch (n % 5) {
            case 0:
            case 1:
              return placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 + (n % 3) }, { sku: 'GADGET-2', quantity: 1 }]);
            case 2:
              return placeOrder(t, [{ sku: 'SCARCE-1', quantity: 4 }]);
            case 3:
              return placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }], 'tok_chargeDeclined');
            default: {
              const orderId = await placeOrder(t, [{ sku: 'GADGET-2', quantity: 2 }]);
              const cancel = await t.http().post(`/api/orders/${orderId}/cancel`).send({ reason: 'changed my mind' });
              if (cancel.status !== 202 && cancel.status !== 409) throw new Error(`cancel answered ${cancel.status}`);
              return orderId;
            }
          }
        }),
      )),
    );
  }
  const orders = await eventually(async () => {
    const { body } = await t.admin().get('/api/orders?limit=1000');
    const mine = (body.items as Array<{ orderId: string; status: string; shipmentId?: string }>).filter((order) => ids.includes(order.orderId));
    expect(mine.filter((order) => settled.has(order.status))).toHaveLength(ids.length);
    return mine;
  }, 60_000);
  const shipped = orders.filter((order) => order.status === 'SHIPPED');
  for (const [index, order] of shipped.entries()) {
    if (index % 2 === 1) continue;
    expect((await t.admin().post(`/api/shipments/${order.shipmentId}/dispatch`)).status).toBe(200);
    if (index % 4 === 0) expect((await t.admin().post(`/api/shipments/${order.shipmentId}/deliver`)).status).toBe(200);
  }
  return ids;
};

const quiet = (t: TestSystem) =>
  eventually(async () => {
    const subscriptions = (await t.admin().get('/api/admin/subscriptions')).body.items as Array<{ lag: number }>;
    const projections = (await t.admin().get('/api/admin/projections')).body.items as Array<{ lag: number; status: string }>;
    expect(subscriptions.every((item) => item.lag === 0)).toBe(true);
    expect(projections.every((item) => item.lag === 0 && item.status === 'live')).toBe(true);
  }, 30_000);

const rebuildAll = async (t: TestSystem) => {
  for (const name of ['orders', 'order-catalog', 'payment-deadlines', 'products', 'payments', 'shipments', 'shipped-orders']) {
    const response = await t.admin().post(`/api/admin/projections/${name}/rebuild`);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ name, status: 'rebuilding' });
  }
};

describe('rebuilding the read models of a system that ran every flow', () => {
  let t: TestSystem;
  afterEach(() => t.stop());

  it('rebuilds each read model into a copy equal, row by row, to the one kept live; live orders during a rebuild are not lost', async () => {
    t = await startTestSystem({ PAYMENT_DELAY_MS: '20', RETRY_BASE_DELAY_MS: '5' });
    await createProduct(t, 'WIDGET-1', 100_000, 19.99);
    await createProduct(t, 'GADGET-2', 100_000, 5.5);
    await createProduct(t, 'SCARCE-1', 40, 3);
    const ids = await runOrders(t, 300);
    await quiet(t);
    const db = readModelsOf(t);
    const projections = projectionsOf(t);
    const statuses = (db.prepare('SELECT status, count(*) AS n FROM orders GROUP BY status').all() as Array<{ status: string }>).map((row) => row.status);
    expect(statuses.sort()).toEqual(['CANCELLED', 'DELIVERED', 'PAYMENT_FAILED', 'REJECTED', 'SHIPPED']);
    expect((db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n).toBe(ids.length);

    const live = snapshot(db, projections);
    const before = generations(db);
    await rebuildAll(t);
    await eventually(() => {
      const after = generations(db);
      for (const name of Object.keys(before)) expect(after[name]).toBeGreaterThan(before[name]!);
    }, 30_000);
    await quiet(t);
    expect(snapshot(db, projections)).toEqual(live);

    // Again, with orders running through the saga while the read models are rebuilt.
    const running = runOrders(t, 100);
    await rebuildAll(t);
    await running;
    await quiet(t);
    expect(snapshot(db, projections)).toEqual(await replayed(t, projections));
  });

  it('answers 404 for an unknown read model, 409 while one is being rebuilt, 401 without the token', async () => {
    t = await startTestSystem();
    expect((await t.admin().post('/api/admin/projections/nope/rebuild')).status).toBe(404);
    expect((await t.http().post('/api/admin/projections/orders/rebuild')).status).toBe(401);
    const db = readModelsOf(t);
    // A rebuild that a process on another host holds, with a fresh heartbeat.
    db.prepare(
      `INSERT INTO projection_rebuilds (name, version, generation, tables, checkpoint, owner, heartbeat_at, started_at)
       VALUES ('orders', 1, 9, '["orders"]', NULL, ?, ?, ?)`,
    ).run(`1@another-host#x`, Date.now(), Date.now());
    const busy = await t.admin().post('/api/admin/projections/orders/rebuild');
    expect(busy.status).toBe(409);
    expect(busy.headers['content-type']).toMatch(/application\/problem\+json/);
    const { body } = await t.admin().get('/api/admin/projections');
    expect(body.items.map((item: { name: string }) => item.name)).toEqual(['orders', 'order-catalog', 'payment-deadlines', 'products', 'payments', 'shipments', 'shipped-orders']);
    expect(body.items[0]).toEqual({ name: 'orders', version: 2, position: '0', lag: 0, status: 'rebuilding', progress: 1 });
    expect(body.items[2]).toEqual({ name: 'payment-deadlines', version: 1, position: '0', lag: 0, status: 'live' });
  });
});

/** A read model that ships in a later release: orders per customer and status. */
class CustomerOrdersProjection implements Projection<'customer_orders'> {
  readonly name = 'customer-orders';
  readonly category = 'Order';
  readonly version = 1;
  readonly tables = ['customer_orders'] as const;
  setup(db: Database.Database, { customer_orders: table }: TableNames<'customer_orders'>) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL)`);
  }
  writer(db: Database.Database, { customer_orders: table }: TableNames<'customer_orders'>) {
    const placed = db.prepare(`INSERT OR IGNORE INTO ${table} (order_id, customer_id, status) VALUES (?, ?, 'PENDING')`);
    const status = db.prepare(`UPDATE ${table} SET status = ? WHERE order_id = ?`);
    const statusOf: Record<string, string> = {
      OrderConfirmed: 'CONFIRMED', OrderRejected: 'REJECTED', OrderPaid: 'PAID', OrderPaymentFailed: 'PAYMENT_FAILED',
      OrderShipped: 'SHIPPED', OrderDelivered: 'DELIVERED', OrderCancelled: 'CANCELLED',
    };
    return (event: ReplayedEvent) => {
      const data = event.data as { orderId: string; customerId: string };
      if (event.type === 'OrderPlaced') placed.run(data.orderId, data.customerId);
      else if (statusOf[event.type] !== undefined) status.run(statusOf[event.type], data.orderId);
    };
  }
}

describe('a read model added in a later release', () => {
  const dir = mkdtempSync(join(tmpdir(), 'new-read-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is built from the whole history when the system starts with it', async () => {
    const environment = { EVENT_STORE: 'sqlite', DATA_DIR: dir, PAYMENT_DELAY_MS: '5' };
    const first = await startTestSystem(environment);
    try {
      await createProduct(first, 'WIDGET-1', 1000);
      await createProduct(first, 'GADGET-2', 1000);
      await createProduct(first, 'SCARCE-1', 40, 3);
      await runOrders(first, 60);
      await quiet(first);
    } finally {
      await first.stop();
    }

    const withNewModel = new ContainerModule(({ bind }) => {
      bind(SharedTokens.Projections).toConstantValue(new CustomerOrdersProjection());
    });
    const later = await startTestSystem(environment, { modules: [...systemModules, withNewModel] });
    try {
      await quiet(later);
      const db = readModelsOf(later);
      expect(db.prepare('SELECT count(*) AS n FROM customer_orders').get()).toEqual({ n: 60 });
      expect(db.prepare('SELECT order_id, customer_id, status FROM customer_orders ORDER BY order_id').all()).toEqual(
        db.prepare('SELECT order_id, customer_id, status FROM orders ORDER BY order_id').all(),
      );
    } finally {
      await later.stop();
    }
  });
});
