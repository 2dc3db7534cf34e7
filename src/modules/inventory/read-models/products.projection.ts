import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import type { Projection } from '../../../shared/read-models/projection';
import { productCategory, type ProductEvent, productEventTypes } from '../contracts/inventory-events';

const known: ReadonlySet<string> = new Set(productEventTypes);

/**
 * The catalog with its stock, one row per product. It follows the product streams, whose events the
 * decider only decides when they apply (a hold is reserved, released or deducted once), so each
 * event is plain arithmetic here.
 */
export class ProductsProjection implements Projection {
  readonly name = 'products';
  readonly category = productCategory;
  private readonly statements = new Map<string, Database.Statement>();

  private statement(db: Database.Database, sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined || prepared.database !== db) {
      prepared = db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  setup(db: Database.Database): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS products (
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

  apply(db: Database.Database, recorded: RecordedEvent): void {
    if (!known.has(recorded.type)) return;
    const event = { type: recorded.type, data: recorded.data } as ProductEvent;
    const at = recorded.createdAt.toISOString();
    const change = (onHand: number, reserved: number) =>
      this.statement(db, 'UPDATE products SET on_hand = on_hand + ?, reserved = reserved + ?, updated_at = ? WHERE sku = ?').run(
        onHand,
        reserved,
        at,
        event.data.sku,
      );
    switch (event.type) {
      case 'ProductCreated': {
        const { sku, name, price, currency, initialStock } = event.data;
        this.statement(
          db,
          `INSERT INTO products (sku, name, price_cents, currency, on_hand, reserved, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (sku) DO NOTHING`,
        ).run(sku, name, toCents(price), currency ?? 'USD', initialStock, at, at);
        return;
      }
      case 'ProductRestocked':
        change(event.data.quantity, 0);
        return;
      case 'ProductStockReserved':
        change(0, event.data.quantity);
        return;
      case 'ProductStockReleased':
        change(0, -event.data.quantity);
        return;
      case 'ProductStockDeducted':
        change(-event.data.quantity, -event.data.quantity);
        return;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }
}
