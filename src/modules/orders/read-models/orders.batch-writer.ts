import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import { type BatchWriter, isoTime } from '../../../shared/read-models/projection';
import { orderEventTime } from '../domain/order';
import { asOrderEvent } from '../contracts/order-events';

/** The row of an order as its OrderPlaced inserts it, in this column order. */
const rowColumns = [
  'order_id',
  'customer_id',
  'status',
  'total',
  'currency',
  'items',
  'shipping_address',
  'payment_id',
  'shipment_id',
  'tracking_number',
  'reason',
  'placed_position',
  'created_at',
  'updated_at',
] as const;

/** The columns the events after OrderPlaced set; a set of them is a bit mask over this list. */
const changeable = ['status', 'reason', 'payment_id', 'shipment_id', 'tracking_number', 'updated_at'] as const;
type Changeable = (typeof changeable)[number];
/** Each changeable column by name: its index in `changeable`, its bit in a mask. */
const column = Object.fromEntries(changeable.map((name, index) => [name, index])) as Record<Changeable, number>;
/** Where each changeable column is in the row. */
const rowIndex = changeable.map((column) => rowColumns.indexOf(column));

/**
 * What one order's events of the batch do to its row. Every event after OrderPlaced sets some of
 * the changeable columns to values it carries, so a run of them leaves each column at the last
 * value given.
 */
class PendingOrder {
  /**
   * The columns changed before its first OrderPlaced of the batch (by all its events when there is
   * none), and their values: they apply only to a row written before the batch, as an UPDATE of a
   * missing row does nothing.
   */
  earlierMask = 0;
  earlier: unknown[] | undefined;
  /** The row its first OrderPlaced inserts, with every later change made on it. */
  placed: unknown[] | undefined;
  /** The columns changed after that OrderPlaced: they apply to the row it inserts, or to one written before (the insert is then ignored). */
  laterMask = 0;

  constructor(readonly orderId: string) {}

  set(index: number, value: unknown): void {
    if (this.placed === undefined) {
      this.earlierMask |= 1 << index;
      (this.earlier ??= [])[index] = value;
    } else {
      this.laterMask |= 1 << index;
      this.placed[rowIndex[index]!] = value;
    }
  }

  /** The values of the columns changed earlier, in the order of `changeable`. */
  earlierValues(): unknown[] {
    return changeable.flatMap((_, index) => (this.earlierMask & (1 << index) ? [this.earlier![index]] : []));
  }
}

/**
 * The orders projection's batch writer: folds the events of a batch by order, then writes each
 * order once: one INSERT for an order placed in the batch (with its later changes in it), one
 * UPDATE for an order placed before. The statements, one per set of columns changed, are prepared
 * on first use. Equal, row for row, to applying the events one by one (orders.batch-writer.spec.ts).
 */
export class OrdersBatchWriter implements BatchWriter {
  private readonly pending = new Map<string, PendingOrder>();
  private readonly updates = new Map<number, Database.Statement>();
  private readonly inserts = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly orders: string,
  ) {}

  add(recorded: ReplayedEvent): void {
    const event = asOrderEvent(recorded);
    if (event === undefined) return;
    // The time the event carries, as the order's own reads answer it; else the store's.
    const at = orderEventTime(event) ?? isoTime(recorded.createdAt);
    const { orderId } = event.data;
    switch (event.type) {
      case 'OrderPlaced': {
        const pending = this.of(orderId);
        // A second OrderPlaced is ignored, as INSERT OR IGNORE ignores it.
        if (pending.placed !== undefined) return;
        const { customerId, total, currency, items, shippingAddress } = event.data;
        const [itemsJson, addressJson] = [JSON.stringify(items), JSON.stringify(shippingAddress)];
        // In the order of rowColumns: no payment, shipment, tracking number or reason yet.
        pending.placed = [orderId, customerId, 'PENDING', total, currency, itemsJson, addressJson, null, null, null, null, recorded.position, at, at];
        return;
      }
      case 'OrderConfirmed':
        this.changed(orderId, at, 'CONFIRMED');
        return;
      case 'OrderRejected':
        this.changed(orderId, at, 'REJECTED').set(column.reason, event.data.reason);
        return;
      case 'OrderPaid':
        this.changed(orderId, at, 'PAID').set(column.payment_id, event.data.paymentId);
        return;
      case 'OrderPaymentFailed':
        this.changed(orderId, at, 'PAYMENT_FAILED').set(column.reason, event.data.reason);
        return;
      case 'OrderShipped': {
        const pending = this.changed(orderId, at, 'SHIPPED');
        pending.set(column.shipment_id, event.data.shipmentId);
        pending.set(column.tracking_number, event.data.trackingNumber);
        return;
      }
      case 'OrderDelivered':
        this.changed(orderId, at, 'DELIVERED');
        return;
      case 'OrderCancelled':
        this.changed(orderId, at, 'CANCELLED').set(column.reason, event.data.reason);
        return;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }

  write(): void {
    for (const pending of this.pending.values()) {
      if (pending.earlierMask !== 0) this.update(pending.earlierMask).run(...pending.earlierValues(), pending.orderId);
      if (pending.placed !== undefined) this.insert(pending.laterMask).run(pending.placed);
    }
    this.pending.clear();
  }

  private of(orderId: string): PendingOrder {
    let pending = this.pending.get(orderId);
    if (pending === undefined) {
      pending = new PendingOrder(orderId);
      this.pending.set(orderId, pending);
    }
    return pending;
  }

  /** Every event after OrderPlaced sets the status and the time of the change. */
  private changed(orderId: string, at: string, status: string): PendingOrder {
    const pending = this.of(orderId);
    pending.set(column.status, status);
    pending.set(column.updated_at, at);
    return pending;
  }

  private update(mask: number): Database.Statement {
    let statement = this.updates.get(mask);
    if (statement === undefined) {
      const set = columnsOf(mask).map((column) => `${column} = ?`);
      statement = this.db.prepare(`UPDATE ${this.orders} SET ${set.join(', ')} WHERE order_id = ?`);
      this.updates.set(mask, statement);
    }
    return statement;
  }

  /** The insert of a placed order; on a row written before, only the later changes apply to it. */
  private insert(mask: number): Database.Statement {
    let statement = this.inserts.get(mask);
    if (statement === undefined) {
      const set = columnsOf(mask).map((column) => `${column} = excluded.${column}`);
      const onConflict = mask === 0 ? '' : ` ON CONFLICT (order_id) DO UPDATE SET ${set.join(', ')}`;
      statement = this.db.prepare(
        `INSERT OR IGNORE INTO ${this.orders} (${rowColumns.join(', ')}) VALUES (${rowColumns.map(() => '?').join(', ')})${onConflict}`,
      );
      this.inserts.set(mask, statement);
    }
    return statement;
  }
}

const columnsOf = (mask: number): Changeable[] => changeable.filter((_, index) => (mask & (1 << index)) !== 0);
