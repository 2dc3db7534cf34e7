import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import type { ApplyEvent, Projection, TableNames } from '../../../shared/read-models/projection';
import { productCategory, type ProductCreated } from '../../inventory/contracts/inventory-events';

type Tables = 'order_catalog';

const isProductCreated = (event: ReplayedEvent): event is ReplayedEvent & Pick<ProductCreated, 'type' | 'data'> =>
  event.type === 'ProductCreated';

/**
 * What orders need to know of the catalog: each product's name and price, learnt from the
 * `ProductCreated` events inventory publishes (they fix both for good). Stock stays inventory's.
 */
export class CatalogProjection implements Projection<Tables> {
  readonly name = 'order-catalog';
  readonly category = productCategory;
  readonly version = 1;
  readonly tables = ['order_catalog'] as const;

  setup(db: Database.Database, { order_catalog }: TableNames<Tables>): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${order_catalog} (
        sku         TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        price_cents INTEGER NOT NULL,
        currency    TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  }

  writer(db: Database.Database, { order_catalog }: TableNames<Tables>): ApplyEvent {
    const create = db.prepare(
      `INSERT INTO ${order_catalog} (sku, name, price_cents, currency) VALUES (?, ?, ?, ?) ON CONFLICT (sku) DO NOTHING`,
    );
    return (event) => {
      if (!isProductCreated(event)) return;
      const { sku, name, price, currency } = event.data;
      create.run(sku, name, toCents(price), currency ?? 'USD');
    };
  }
}
