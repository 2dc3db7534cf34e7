import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import { type ApplyEvent, isoTime, type Projection, type TableNames } from '../../../shared/read-models/projection';
import { asProductEvent, productCategory } from '../contracts/inventory-events';

type Tables = 'products';

/**
 * The catalog with its stock, one row per product. It follows the product streams, whose events the
 * decider only decides when they apply (a hold is reserved, released or deducted once), so each
 * event is plain arithmetic here.
 */
export class ProductsProjection implements Projection<Tables> {
  readonly name = 'products';
  readonly category = productCategory;
  readonly version = 1;
  readonly tables = ['products'] as const;

  setup(db: Database.Database, { products }: TableNames<Tables>): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${products} (
        sku         TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        price_cents INTEGER NOT NULL,
        currency    TEXT NOT NULL,
        on_hand     INTEGER NOT NULL,
        reserved    INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `);
  }

  writer(db: Database.Database, { products }: TableNames<Tables>): ApplyEvent {
    const create = db.prepare(
      `INSERT INTO ${products} (sku, name, price_cents, currency, on_hand, reserved, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (sku) DO NOTHING`,
    );
    const change = db.prepare(`UPDATE ${products} SET on_hand = on_hand + ?, reserved = reserved + ?, updated_at = ? WHERE sku = ?`);
    return (recorded: ReplayedEvent) => {
      const event = asProductEvent(recorded);
      if (event === undefined) return;
      const at = isoTime(recorded.createdAt);
      switch (event.type) {
        case 'ProductCreated': {
          const { sku, name, price, currency, initialStock } = event.data;
          create.run(sku, name, toCents(price), currency ?? 'USD', initialStock, at, at);
          return;
        }
        case 'ProductRestocked':
          change.run(event.data.quantity, 0, at, event.data.sku);
          return;
        case 'ProductStockReserved':
          change.run(0, event.data.quantity, at, event.data.sku);
          return;
        case 'ProductStockReleased':
          change.run(0, -event.data.quantity, at, event.data.sku);
          return;
        case 'ProductStockDeducted':
          change.run(-event.data.quantity, -event.data.quantity, at, event.data.sku);
          return;
        default: {
          const unknownEvent: never = event;
          return unknownEvent;
        }
      }
    };
  }
}
