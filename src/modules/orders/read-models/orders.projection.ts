import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import type { ApplyEvent, BatchWriter, Projection, TableNames } from '../../../shared/read-models/projection';
import { orderCategory } from '../contracts/order-events';
import { OrdersBatchWriter } from './orders.batch-writer';

type Tables = 'orders';

/** The admin list of orders, newest first, filtered by status or customer. */
export class OrdersProjection implements Projection<Tables> {
  readonly name = 'orders';
  readonly category = orderCategory;
  /** 2: the shipping address may be null (erased, CONTRACT §7). */
  readonly version = 2;
  readonly tables = ['orders'] as const;

  setup(db: Database.Database, { orders }: TableNames<Tables>): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${orders} (
        order_id         TEXT PRIMARY KEY,
        customer_id      TEXT NOT NULL,
        status           TEXT NOT NULL,
        total            REAL NOT NULL,
        currency         TEXT NOT NULL,
        items            TEXT NOT NULL,
        shipping_address TEXT,
        payment_id       TEXT,
        shipment_id      TEXT,
        tracking_number  TEXT,
        reason           TEXT,
        placed_position  INTEGER NOT NULL,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
    `);
  }

  /** For the admin list: newest first, by status, by customer. */
  indexes(db: Database.Database, { orders }: TableNames<Tables>): void {
    db.exec(`
      CREATE INDEX IF NOT EXISTS ${orders}_newest ON ${orders} (placed_position DESC);
      CREATE INDEX IF NOT EXISTS ${orders}_by_status ON ${orders} (status, placed_position DESC);
      CREATE INDEX IF NOT EXISTS ${orders}_by_customer ON ${orders} (customer_id, placed_position DESC);
    `);
  }

  /** One event at a time: the batch writer's fold over a batch of one, so both write the same rows by construction. */
  writer(db: Database.Database, { orders }: TableNames<Tables>): ApplyEvent {
    const batch = new OrdersBatchWriter(db, orders);
    return (event: ReplayedEvent) => {
      batch.add(event);
      batch.write();
    };
  }

  erasePersonalData(db: Database.Database, { orders }: TableNames<Tables>, customerId: string): void {
    db.prepare(`UPDATE ${orders} SET shipping_address = NULL WHERE customer_id = ?`).run(customerId);
  }

  /** For rebuilds: each order's events of a batch folded into one INSERT (or one UPDATE of an order placed before). */
  batchWriter(db: Database.Database, { orders }: TableNames<Tables>): BatchWriter {
    return new OrdersBatchWriter(db, orders);
  }
}
