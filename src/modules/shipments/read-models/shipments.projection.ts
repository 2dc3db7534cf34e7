import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Projection } from '../../../shared/read-models/projection';
import { shipmentCategory, type ShipmentEvent, shipmentEventTypes } from '../contracts/shipment-events';

const known: ReadonlySet<string> = new Set(shipmentEventTypes);

/**
 * Shipments by id, by order and by tracking number. Its times are the ones in the events (the
 * clock's, passed in with each command), so it shows what the write answered.
 */
export class ShipmentsProjection implements Projection {
  readonly name = 'shipments';
  readonly category = shipmentCategory;
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
      CREATE TABLE IF NOT EXISTS shipments (
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
      CREATE INDEX IF NOT EXISTS shipments_by_order ON shipments (order_id);
    `);
  }

  apply(db: Database.Database, recorded: RecordedEvent): void {
    if (!known.has(recorded.type)) return;
    const event = { type: recorded.type, data: recorded.data } as ShipmentEvent;
    const update = (from: string, sql: string, ...values: string[]) =>
      this.statement(db, `UPDATE shipments SET ${sql} WHERE shipment_id = ? AND status = ?`).run(...values, event.data.shipmentId, from);
    switch (event.type) {
      case 'ShipmentCreated': {
        const { shipmentId, orderId, trackingNumber, createdAt } = event.data;
        this.statement(
          db,
          `INSERT INTO shipments (shipment_id, order_id, tracking_number, status, created_at, updated_at)
           VALUES (?, ?, ?, 'CREATED', ?, ?) ON CONFLICT (shipment_id) DO NOTHING`,
        ).run(shipmentId, orderId, trackingNumber, createdAt, createdAt);
        return;
      }
      case 'ShipmentDispatched':
        update('CREATED', `status = 'DISPATCHED', dispatched_at = ?, updated_at = ?`, event.data.dispatchedAt, event.data.dispatchedAt);
        return;
      case 'ShipmentDelivered':
        update('DISPATCHED', `status = 'DELIVERED', delivered_at = ?, updated_at = ?`, event.data.deliveredAt, event.data.deliveredAt);
        return;
      case 'ShipmentCancelled':
        update('CREATED', `status = 'CANCELLED', reason = ?, updated_at = ?`, event.data.reason, event.data.cancelledAt);
        return;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }
}
