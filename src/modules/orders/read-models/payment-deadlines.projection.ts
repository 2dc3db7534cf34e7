import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import type { ApplyEvent, Projection, TableNames } from '../../../shared/read-models/projection';
import { asOrderEvent, orderCategory } from '../contracts/order-events';

type Tables = 'payment_deadlines';

/** The orders that must be PAID by a deadline and are not yet, with their deadline (from OrderPlaced). */
export class PaymentDeadlinesProjection implements Projection<Tables> {
  readonly name = 'payment-deadlines';
  readonly category = orderCategory;
  readonly version = 1;
  readonly tables = ['payment_deadlines'] as const;

  setup(db: Database.Database, { payment_deadlines: table }: TableNames<Tables>): void {
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (order_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL)`);
  }

  /** For the deadline watcher: the deadlines due first. */
  indexes(db: Database.Database, { payment_deadlines: table }: TableNames<Tables>): void {
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_due ON ${table} (due_at)`);
  }

  writer(db: Database.Database, { payment_deadlines: table }: TableNames<Tables>): ApplyEvent {
    const insert = db.prepare(`INSERT OR IGNORE INTO ${table} (order_id, due_at) VALUES (?, ?)`);
    const remove = db.prepare(`DELETE FROM ${table} WHERE order_id = ?`);
    return (recorded: ReplayedEvent) => {
      const event = asOrderEvent(recorded);
      switch (event?.type) {
        case 'OrderPlaced':
          insert.run(event.data.orderId, Date.parse(event.data.paymentDueBy));
          return;
        case 'OrderPaid':
        case 'OrderRejected':
        case 'OrderPaymentFailed':
        case 'OrderCancelled':
          remove.run(event.data.orderId);
          return;
        case 'OrderConfirmed':
        case 'OrderShipped':
        case 'OrderDelivered':
        case undefined:
          return;
        default: {
          const unknownEvent: never = event;
          return unknownEvent;
        }
      }
    };
  }
}

export class DueDeadlines {
  constructor(private readonly db: Database.Database) {}

  /** Order ids whose deadline is at or before `now`, oldest first. */
  due(now: Date, limit: number): string[] {
    return (
      this.db.prepare('SELECT order_id FROM payment_deadlines WHERE due_at <= ? ORDER BY due_at LIMIT ?').all(now.getTime(), limit) as Array<{
        order_id: string;
      }>
    ).map((row) => row.order_id);
  }
}
