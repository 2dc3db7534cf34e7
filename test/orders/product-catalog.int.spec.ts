import pino from 'pino';
import { v4 as uuid } from 'uuid';
import type Database from 'better-sqlite3';
import { composeSystem, type System } from '../../src/container';
import type { ProductCatalog } from '../../src/modules/orders/application/product-catalog.port';
import { ordersModule } from '../../src/modules/orders/orders.module';
import { OrdersTokens } from '../../src/modules/orders/orders.tokens';
import { loadConfig } from '../../src/shared/config';
import { SharedTokens } from '../../src/shared/tokens';

/** Orders' catalog is its own read model of inventory's events: it may lag, and an order must not see that. */
describe("orders' catalog", () => {
  let system: System;
  let catalog: ProductCatalog;

  beforeEach(async () => {
    system = await composeSystem({ ...loadConfig({ EVENT_STORE: 'memory', LOG_LEVEL: 'silent' }), ADMIN_TOKEN: 'catalog-test-token' }, {
      logger: pino({ level: 'silent' }),
      modules: [ordersModule],
    });
    catalog = system.container.get<ProductCatalog>(OrdersTokens.ProductCatalog);
  });

  afterEach(() => system.stop());

  const createProduct = (sku: string, price: number) =>
    system.eventStore.append(
      `Product-${sku}`,
      [{ id: uuid(), type: 'ProductCreated', data: { sku, name: `Product ${sku}`, price, currency: 'USD', initialStock: 5 } }],
      'no_stream',
    );

  it('finds a product created before it was asked, though its read model had not applied it yet', async () => {
    await createProduct('LATE-1', 12.5);
    let found = false;
    const lookup = catalog.find(['LATE-1']).finally(() => (found = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(found).toBe(false);
    system.projections.start();
    expect(await lookup).toEqual(new Map([['LATE-1', { sku: 'LATE-1', name: 'Product LATE-1', priceCents: 1250, currency: 'USD' }]]));
  });

  it('answers a sku nobody created as absent once the read model has caught up', async () => {
    await createProduct('KNOWN-1', 1);
    system.projections.start();
    const found = await catalog.find(['KNOWN-1', 'NOPE-1']);
    expect([...found.keys()]).toEqual(['KNOWN-1']);
  });

  it('answers a product it found once from memory: a price is fixed when the product is created', async () => {
    await createProduct('KEPT-1', 3);
    system.projections.start();
    const first = await catalog.find(['KEPT-1']);
    system.container.get<Database.Database>(SharedTokens.ReadModelDatabase).prepare('DELETE FROM order_catalog__g1').run();
    expect(await catalog.find(['KEPT-1'])).toEqual(first);
    expect(first.get('KEPT-1')).toEqual({ sku: 'KEPT-1', name: 'Product KEPT-1', priceCents: 300, currency: 'USD' });
  });
});
