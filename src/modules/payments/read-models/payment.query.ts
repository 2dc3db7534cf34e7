import type Database from 'better-sqlite3';
import { fromCents } from '../../../shared/domain/money';
import type { PaymentStatus } from '../contracts/payment-events';

/** A payment as the admin API shows it. */
export interface PaymentView {
  readonly paymentId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly status: PaymentStatus;
  readonly reason?: string;
  readonly transactionId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface PaymentRow {
  payment_id: string;
  order_id: string;
  amount_cents: number;
  status: PaymentStatus;
  reason: string | null;
  transaction_id: string | null;
  created_at: string;
  updated_at: string;
}

const toView = (row: PaymentRow): PaymentView => ({
  paymentId: row.payment_id,
  orderId: row.order_id,
  amount: fromCents(row.amount_cents),
  status: row.status,
  ...(row.reason === null ? {} : { reason: row.reason }),
  ...(row.transaction_id === null ? {} : { transactionId: row.transaction_id }),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Reads the `payments` read model. */
export class PaymentQuery {
  constructor(private readonly db: Database.Database) {}

  byId(paymentId: string): PaymentView | undefined {
    const row = this.db.prepare('SELECT * FROM payments WHERE payment_id = ?').get(paymentId) as PaymentRow | undefined;
    return row === undefined ? undefined : toView(row);
  }

  /** An order has one payment; a list, so that the answer has one shape whether or not it was charged yet. */
  byOrder(orderId: string): PaymentView[] {
    const rows = this.db.prepare('SELECT * FROM payments WHERE order_id = ? ORDER BY created_at, payment_id').all(orderId) as PaymentRow[];
    return rows.map(toView);
  }
}
