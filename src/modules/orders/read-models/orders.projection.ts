import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import { type ApplyEvent, type BatchWriter, isoTime, type Projection, type TableNames } from '../../../shared/read-models/projection';
import { asOrderEvent, orderCategory } from '../contracts/order-events';
import { OrdersBatchWriter } from './orders.batch-writer';

type Tables = 'orders';

/** The admin list of orders, newest first, filtered by status or customer. */
export class OrdersProjection implements Projection<Tables> {
  readonly name = 'orders';
  readonly category = orderCategory;
  readonly version = 1;
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
        shipping_address TEXT NOT NULL,
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

  writer(db: Database.Database, { orders }: TableNames<Tables>): ApplyEvent {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO ${orders} (order_id, customer_id, status, total, currency, items, shipping_address, placed_position, created_at, updated_at)
       VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const where = 'updated_at = ? WHERE order_id = ?';
    const status = db.prepare(`UPDATE ${orders} SET status = ?, ${where}`);
    const withReason = db.prepare(`UPDATE ${orders} SET status = ?, reason = ?, ${where}`);
    const paid = db.prepare(`UPDATE ${orders} SET status = 'PAID', payment_id = ?, ${where}`);
    const shipped = db.prepare(`UPDATE ${orders} SET status = 'SHIPPED', shipment_id = ?, tracking_number = ?, ${where}`);

    return (recorded: ReplayedEvent) => {
      const event = asOrderEvent(recorded);
      if (event === undefined) return;
      const at = isoTime(recorded.createdAt);
      const { orderId } = event.data;
      switch (event.type) {
        case 'OrderPlaced': {
          const { customerId, total, currency, items, shippingAddress } = event.data;
          insert.run(orderId, customerId, total, currency, JSON.stringify(items), JSON.stringify(shippingAddress), recorded.position, at, at);
          return;
        }
        case 'OrderConfirmed':
          status.run('CONFIRMED', at, orderId);
          return;
        case 'OrderRejected':
          withReason.run('REJECTED', event.data.reason, at, orderId);
          return;
        case 'OrderPaid':
          paid.run(event.data.paymentId, at, orderId);
          return;
        case 'OrderPaymentFailed':
          withReason.run('PAYMENT_FAILED', event.data.reason, at, orderId);
          return;
        case 'OrderShipped':
          shipped.run(event.data.shipmentId, event.data.trackingNumber, at, orderId);
          return;
        case 'OrderDelivered':
          status.run('DELIVERED', at, orderId);
          return;
        case 'OrderCancelled':
          withReason.run('CANCELLED', event.data.reason, at, orderId);
          return;
        default: {
          const unknownEvent: never = event;
          return unknownEvent;
        }
      }
    };
  }

  /** For rebuilds: each order's events of a batch folded into one INSERT (or one UPDATE of an order placed before). */
  batchWriter(db: Database.Database, { orders }: TableNames<Tables>): BatchWriter {
    return new OrdersBatchWriter(db, orders);
  }
}
