import Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import { type ApplyEvent, ownTableNames } from '../../../shared/read-models/projection';
import type { ProductEvent } from '../contracts/inventory-events';
import { ProductQueries } from './product.query';
import { ProductsProjection } from './products.projection';

let position = 0n;
const recorded = (event: ProductEvent | { type: string; data: unknown }, at = '2026-11-21T10:00:00.000Z'): RecordedEvent => ({
  id: `event-${++position}`,
  type: event.type,
  data: event.data,
  streamName: 'Product-WIDGET-001',
  revision: Number(position),
  position,
  metadata: {},
  createdAt: new Date(at),
});

const sku = 'WIDGET-001';
const hold = (type: 'ProductStockReserved' | 'ProductStockReleased' | 'ProductStockDeducted', orderId: string, quantity: number) =>
  recorded({ type, data: { orderId, sku, quantity } } as ProductEvent);

describe('products projection', () => {
  let db: Database.Database;
  let apply: ApplyEvent;
  const projection = new ProductsProjection();
  beforeEach(() => {
    db = new Database(':memory:');
    projection.setup(db, ownTableNames(projection));
    apply = projection.writer(db, ownTableNames(projection));
  });
  afterEach(() => db.close());

  it('keeps each product with its stock, from every product event', () => {
    const queries = new ProductQueries(db);
    for (const event of [
      recorded({ type: 'ProductCreated', data: { sku, name: 'Premium Widget', price: 19.99, currency: 'USD', initialStock: 10 } }),
      recorded({ type: 'ProductRestocked', data: { sku, quantity: 5 } }),
      hold('ProductStockReserved', 'order-1', 4),
      hold('ProductStockReserved', 'order-2', 2),
      hold('ProductStockReleased', 'order-1', 4),
      hold('ProductStockDeducted', 'order-2', 2),
      hold('ProductStockReserved', 'order-3', 1),
    ]) {
      apply(event);
    }
    expect(queries.get(sku)).toEqual({
      sku,
      name: 'Premium Widget',
      price: 19.99,
      currency: 'USD',
      stock: { onHand: 13, reserved: 1, available: 12 },
    });
  });

  it('lists in sku order, keeps the first creation, stamps the times, and ignores what it does not know', () => {
    const queries = new ProductQueries(db);
    const created = (name: string, at: string, of = sku) =>
      recorded({ type: 'ProductCreated', data: { sku: of, name, price: 1, currency: 'USD', initialStock: 1 } }, at);
    apply(created('First', '2026-11-21T10:00:00.000Z'));
    apply(created('Second', '2026-11-21T11:00:00.000Z'));
    apply(created('Another', '2026-11-21T12:00:00.000Z', 'A-1'));
    apply(recorded({ type: 'ProductRenamed', data: { sku, name: 'x' } }));
    apply(recorded({ type: 'ProductRestocked', data: { sku, quantity: 2 } }, '2026-11-21T13:00:00.000Z'));
    expect(queries.list().map((product) => [product.sku, product.name, product.stock.onHand])).toEqual([
      ['A-1', 'Another', 1],
      [sku, 'First', 3],
    ]);
    expect(db.prepare('SELECT created_at, updated_at FROM products WHERE sku = ?').get(sku)).toEqual({
      created_at: '2026-11-21T10:00:00.000Z',
      updated_at: '2026-11-21T13:00:00.000Z',
    });
    expect(queries.get('NOPE-1')).toBeUndefined();
  });
});
