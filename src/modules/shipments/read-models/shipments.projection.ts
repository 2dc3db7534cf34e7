import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import type { ApplyEvent, Projection, TableNames } from '../../../shared/read-models/projection';
import { asShipmentEvent, shipmentCategory } from '../contracts/shipment-events';

type Tables = 'shipments';

/**
 * Shipments by id, by order and by tracking number. Its times are the ones in the events (the
 * clock's, passed in with each command), so it shows what the write answered.
 */
export class ShipmentsProjection implements Projection<Tables> {
  readonly name = 'shipments';
  readonly category = shipmentCategory;
  readonly version = 1;
  readonly tables = ['shipments'] as const;

  setup(db: Database.Database, { shipments }: TableNames<Tables>): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${shipments} (
        shipment_id     TEXT PRIMARY KEY,
        order_id        TEXT NOT NULL,
        tracking_number TEXT NOT NULL UNIQUE, -- its unique index serves the lookups by tracking number
        status          TEXT NOT NULL,
        reason          TEXT,
        created_at      TEXT NOT NULL,
        dispatched_at   TEXT,
        delivered_at    TEXT,
        updated_at      TEXT NOT NULL
      );
    `);
  }

  /** For the shipments of an order. */
  indexes(db: Database.Database, { shipments }: TableNames<Tables>): void {
    db.exec(`CREATE INDEX IF NOT EXISTS ${shipments}_by_order ON ${shipments} (order_id)`);
  }

  writer(db: Database.Database, { shipments }: TableNames<Tables>): ApplyEvent {
    const create = db.prepare(
      `INSERT INTO ${shipments} (shipment_id, order_id, tracking_number, status, created_at, updated_at)
       VALUES (?, ?, ?, 'CREATED', ?, ?) ON CONFLICT (shipment_id) DO NOTHING`,
    );
    const guarded = 'WHERE shipment_id = ? AND status = ?';
    const dispatch = db.prepare(`UPDATE ${shipments} SET status = 'DISPATCHED', dispatched_at = ?, updated_at = ? ${guarded}`);
    const deliver = db.prepare(`UPDATE ${shipments} SET status = 'DELIVERED', delivered_at = ?, updated_at = ? ${guarded}`);
    const cancel = db.prepare(`UPDATE ${shipments} SET status = 'CANCELLED', reason = ?, updated_at = ? ${guarded}`);
    return (recorded: ReplayedEvent) => {
      const event = asShipmentEvent(recorded);
      if (event === undefined) return;
      const { shipmentId } = event.data;
      switch (event.type) {
        case 'ShipmentCreated': {
          const { orderId, trackingNumber, createdAt } = event.data;
          create.run(shipmentId, orderId, trackingNumber, createdAt, createdAt);
          return;
        }
        case 'ShipmentDispatched':
          dispatch.run(event.data.dispatchedAt, event.data.dispatchedAt, shipmentId, 'CREATED');
          return;
        case 'ShipmentDelivered':
          deliver.run(event.data.deliveredAt, event.data.deliveredAt, shipmentId, 'DISPATCHED');
          return;
        case 'ShipmentCancelled':
          cancel.run(event.data.reason, event.data.cancelledAt, shipmentId, 'CREATED');
          return;
        default: {
          const unknownEvent: never = event;
          return unknownEvent;
        }
      }
    };
  }
}
