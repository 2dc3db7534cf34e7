import type Database from 'better-sqlite3';
import type { ShipmentStatus } from '../contracts/shipment-events';
import type { ShipmentView } from '../application/shipment.view';

interface ShipmentRow {
  shipment_id: string;
  order_id: string;
  tracking_number: string;
  status: ShipmentStatus;
  reason: string | null;
  created_at: string;
  dispatched_at: string | null;
  delivered_at: string | null;
  updated_at: string;
}

const toView = (row: ShipmentRow): ShipmentView => ({
  shipmentId: row.shipment_id,
  orderId: row.order_id,
  trackingNumber: row.tracking_number,
  status: row.status,
  ...(row.reason === null ? {} : { reason: row.reason }),
  createdAt: row.created_at,
  ...(row.dispatched_at === null ? {} : { dispatchedAt: row.dispatched_at }),
  ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at }),
  updatedAt: row.updated_at,
});

/** Reads the `shipments` read model. */
export class ShipmentQuery {
  constructor(private readonly db: Database.Database) {}

  byId(shipmentId: string): ShipmentView | undefined {
    return this.one('SELECT * FROM shipments WHERE shipment_id = ?', shipmentId);
  }

  byTrackingNumber(trackingNumber: string): ShipmentView | undefined {
    return this.one('SELECT * FROM shipments WHERE tracking_number = ?', trackingNumber);
  }

  /** An order has one shipment once it is paid; a list, so that the answer has one shape before and after. */
  byOrder(orderId: string): ShipmentView[] {
    const rows = this.db.prepare('SELECT * FROM shipments WHERE order_id = ? ORDER BY created_at, shipment_id').all(orderId);
    return (rows as ShipmentRow[]).map(toView);
  }

  private one(sql: string, key: string): ShipmentView | undefined {
    const row = this.db.prepare(sql).get(key) as ShipmentRow | undefined;
    return row === undefined ? undefined : toView(row);
  }
}
