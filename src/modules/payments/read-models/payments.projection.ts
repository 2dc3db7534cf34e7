import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import type { Projection } from '../../../shared/read-models/projection';
import { paymentCategory, type PaymentEvent, paymentEventTypes } from '../contracts/payment-events';

const known: ReadonlySet<string> = new Set(paymentEventTypes);

/** Payments by id and by order, for the admin API. */
export class PaymentsProjection implements Projection {
  readonly name = 'payments';
  readonly category = paymentCategory;
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
      CREATE TABLE IF NOT EXISTS payments (
        payment_id     TEXT PRIMARY KEY,
        order_id       TEXT NOT NULL,
        amount_cents   INTEGER NOT NULL,
        status         TEXT NOT NULL,
        reason         TEXT,
        transaction_id TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS payments_by_order ON payments (order_id);
    `);
  }

  apply(db: Database.Database, recorded: RecordedEvent): void {
    if (!known.has(recorded.type)) return;
    const event = { type: recorded.type, data: recorded.data } as PaymentEvent;
    const at = recorded.createdAt.toISOString();
    const insert = (status: 'PROCESSED' | 'FAILED', reason: string | null, transactionId: string | null) =>
      this.statement(
        db,
        `INSERT INTO payments (payment_id, order_id, amount_cents, status, reason, transaction_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO NOTHING`,
      ).run(event.data.paymentId, event.data.orderId, toCents(event.data.amount), status, reason, transactionId, at, at);
    switch (event.type) {
      case 'PaymentProcessed':
        insert('PROCESSED', null, event.data.transactionId);
        return;
      case 'PaymentFailed':
        insert('FAILED', event.data.reason, null);
        return;
      case 'PaymentRefunded':
        this.statement(
          db,
          `UPDATE payments SET status = 'REFUNDED', reason = ?, updated_at = ? WHERE payment_id = ? AND status = 'PROCESSED'`,
        ).run(event.data.reason, at, event.data.paymentId);
        return;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }
}
