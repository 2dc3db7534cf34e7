import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import { type ApplyEvent, isoTime, type Projection, type TableNames } from '../../../shared/read-models/projection';
import { asPaymentEvent, paymentCategory } from '../contracts/payment-events';

type Tables = 'payments';

/** Payments by id and by order, for the admin API. */
export class PaymentsProjection implements Projection<Tables> {
  readonly name = 'payments';
  readonly category = paymentCategory;
  readonly version = 1;
  readonly tables = ['payments'] as const;

  setup(db: Database.Database, { payments }: TableNames<Tables>): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${payments} (
        payment_id     TEXT PRIMARY KEY,
        order_id       TEXT NOT NULL,
        amount_cents   INTEGER NOT NULL,
        status         TEXT NOT NULL,
        reason         TEXT,
        transaction_id TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      );
    `);
  }

  /** For the payments of an order. */
  indexes(db: Database.Database, { payments }: TableNames<Tables>): void {
    db.exec(`CREATE INDEX IF NOT EXISTS ${payments}_by_order ON ${payments} (order_id)`);
  }

  writer(db: Database.Database, { payments }: TableNames<Tables>): ApplyEvent {
    const insert = db.prepare(
      `INSERT INTO ${payments} (payment_id, order_id, amount_cents, status, reason, transaction_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO NOTHING`,
    );
    const refund = db.prepare(
      `UPDATE ${payments} SET status = 'REFUNDED', reason = ?, updated_at = ? WHERE payment_id = ? AND status = 'PROCESSED'`,
    );
    return (recorded: ReplayedEvent) => {
      const event = asPaymentEvent(recorded);
      if (event === undefined) return;
      const at = isoTime(recorded.createdAt);
      const { paymentId, orderId, amount } = event.data;
      switch (event.type) {
        case 'PaymentProcessed':
          insert.run(paymentId, orderId, toCents(amount), 'PROCESSED', null, event.data.transactionId, at, at);
          return;
        case 'PaymentFailed':
          insert.run(paymentId, orderId, toCents(amount), 'FAILED', event.data.reason, null, at, at);
          return;
        case 'PaymentRefunded':
          refund.run(event.data.reason, at, paymentId);
          return;
        default: {
          const unknownEvent: never = event;
          return unknownEvent;
        }
      }
    };
  }
}
