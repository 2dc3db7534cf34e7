import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Projection } from '../../../shared/read-models/projection';
import { orderCategory, type OrderPlaced } from '../contracts/order-events';

/** The orders that must be PAID by a deadline and are not yet, with their deadline (from OrderPlaced). */
export class PaymentDeadlinesProjection implements Projection {
  readonly name = 'payment-deadlines';
  readonly category = orderCategory;

  setup(db: Database.Database): void {
    db.exec(`CREATE TABLE IF NOT EXISTS payment_deadlines (order_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS payment_deadlines_due ON payment_deadlines (due_at);`);
  }

  apply(db: Database.Database, event: RecordedEvent): void {
    const { orderId } = event.data as { orderId: string };
    switch (event.type) {
      case 'OrderPlaced':
        db.prepare('INSERT OR IGNORE INTO payment_deadlines (order_id, due_at) VALUES (?, ?)').run(
          orderId,
          Date.parse((event.data as OrderPlaced['data']).paymentDueBy),
        );
        return;
      case 'OrderPaid':
      case 'OrderRejected':
      case 'OrderPaymentFailed':
      case 'OrderCancelled':
        db.prepare('DELETE FROM payment_deadlines WHERE order_id = ?').run(orderId);
        return;
      default:
        return;
    }
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
