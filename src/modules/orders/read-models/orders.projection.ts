import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Projection } from '../../../shared/read-models/projection';
import { orderCategory, type OrderEvent } from '../contracts/order-events';

/** The admin list of orders, newest first, filtered by status or customer. */
export class OrdersProjection implements Projection {
  readonly name = 'orders';
  readonly category = orderCategory;
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
      CREATE TABLE IF NOT EXISTS orders (
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
      CREATE INDEX IF NOT EXISTS orders_newest ON orders (placed_position DESC);
      CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, placed_position DESC);
      CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, placed_position DESC);
    `);
  }

  apply(db: Database.Database, recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as OrderEvent;
    const at = recorded.createdAt.toISOString();
    const update = (fields: Record<string, string | null>) => {
      const columns = Object.keys(fields);
      const sql = `UPDATE orders SET ${columns.map((column) => `${column} = @${column}`).join(', ')}, updated_at = @at WHERE order_id = @orderId`;
      this.statement(db, sql).run({
        ...fields,
        at,
        orderId: event.data.orderId,
      });
    };
    switch (event.type) {
      case 'OrderPlaced': {
        const { orderId, customerId, total, currency, items, shippingAddress } = event.data;
        this.statement(
          db,
          `INSERT OR IGNORE INTO orders (order_id, customer_id, status, total, currency, items, shipping_address, placed_position, created_at, updated_at)
           VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?)`,
        ).run(orderId, customerId, total, currency, JSON.stringify(items), JSON.stringify(shippingAddress), recorded.position, at, at);
        return;
      }
      case 'OrderConfirmed':
        return update({ status: 'CONFIRMED' });
      case 'OrderRejected':
        return update({ status: 'REJECTED', reason: event.data.reason });
      case 'OrderPaid':
        return update({ status: 'PAID', payment_id: event.data.paymentId });
      case 'OrderPaymentFailed':
        return update({ status: 'PAYMENT_FAILED', reason: event.data.reason });
      case 'OrderShipped':
        return update({ status: 'SHIPPED', shipment_id: event.data.shipmentId, tracking_number: event.data.trackingNumber });
      case 'OrderDelivered':
        return update({ status: 'DELIVERED' });
      case 'OrderCancelled':
        return update({ status: 'CANCELLED', reason: event.data.reason });
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }
}
