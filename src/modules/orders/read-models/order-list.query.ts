import type Database from 'better-sqlite3';
import type { OrderStatus } from '../contracts/order-events';
import type { OrderView } from '../application/order.view';

export interface OrderListFilter {
  readonly status?: OrderStatus;
  readonly customerId?: string;
  readonly limit: number;
  /** The placement position to continue after (exclusive), from the previous page's `nextCursor`. */
  readonly cursor?: bigint;
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  total: number;
  currency: string;
  items: string;
  shipping_address: string;
  payment_id: string | null;
  shipment_id: string | null;
  tracking_number: string | null;
  reason: string | null;
  placed_position: number;
  created_at: string;
  updated_at: string;
}

const toView = (row: OrderRow): OrderView => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  status: row.status,
  items: JSON.parse(row.items),
  total: row.total,
  currency: row.currency,
  shippingAddress: JSON.parse(row.shipping_address),
  ...(row.payment_id === null ? {} : { paymentId: row.payment_id }),
  ...(row.shipment_id === null ? {} : { shipmentId: row.shipment_id }),
  ...(row.tracking_number === null ? {} : { trackingNumber: row.tracking_number }),
  ...(row.reason === null ? {} : { reason: row.reason }),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Newest first, keyset-paginated on the position of each order's `OrderPlaced`. */
export class OrderListQuery {
  constructor(private readonly db: Database.Database) {}

  list(filter: OrderListFilter): { items: OrderView[]; nextCursor: string | null } {
    const conditions = ['placed_position < @cursor'];
    if (filter.status !== undefined) conditions.push('status = @status');
    if (filter.customerId !== undefined) conditions.push('customer_id = @customerId');
    const rows = this.db
      .prepare(`SELECT * FROM orders WHERE ${conditions.join(' AND ')} ORDER BY placed_position DESC LIMIT @limit`)
      .all({
        cursor: filter.cursor ?? BigInt(Number.MAX_SAFE_INTEGER),
        status: filter.status,
        customerId: filter.customerId,
        limit: filter.limit + 1,
      }) as OrderRow[];
    const page = rows.slice(0, filter.limit);
    const more = rows.length > filter.limit;
    return { items: page.map(toView), nextCursor: more ? String(page[page.length - 1]!.placed_position) : null };
  }
}
