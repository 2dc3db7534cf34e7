import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import type { ApplyEvent, Projection, TableNames } from '../../../shared/read-models/projection';
import { orderCategory, type OrderShipped } from '../../orders/contracts/order-events';

type Tables = 'shipped_orders';

const isOrderShipped = (event: ReplayedEvent): event is ReplayedEvent & Pick<OrderShipped, 'type' | 'data'> => event.type === 'OrderShipped';

/**
 * The orders that reached SHIPPED, learnt from the `OrderShipped` events orders publishes: a
 * shipment may leave only then. SHIPPED is for good (a SHIPPED order can no longer be cancelled),
 * so an order found here can never turn out cancelled; one not found yet may only be lagging.
 */
export class ShippedOrdersProjection implements Projection<Tables> {
  readonly name = 'shipped-orders';
  readonly category = orderCategory;
  readonly version = 1;
  readonly tables = ['shipped_orders'] as const;

  setup(db: Database.Database, { shipped_orders }: TableNames<Tables>): void {
    db.exec(`CREATE TABLE IF NOT EXISTS ${shipped_orders} (order_id TEXT PRIMARY KEY) WITHOUT ROWID;`);
  }

  writer(db: Database.Database, { shipped_orders }: TableNames<Tables>): ApplyEvent {
    const insert = db.prepare(`INSERT INTO ${shipped_orders} (order_id) VALUES (?) ON CONFLICT (order_id) DO NOTHING`);
    return (event) => {
      if (isOrderShipped(event)) insert.run(event.data.orderId);
    };
  }
}
