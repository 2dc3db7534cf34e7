import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { orderCategory, type OrderCancelled, type OrderPaid } from '../../orders/contracts/order-events';
import { shipmentIdFor } from '../contracts/shipment-events';
import type { ShipmentCommands } from './shipment-commands';

/**
 * A paid order gets a shipment; a shipment created for an order that was then cancelled (the two
 * raced) is cancelled and never dispatched.
 */
export const shipmentsOnOrders = (shipments: ShipmentCommands): Reaction => ({
  name: 'shipments-on-orders',
  category: orderCategory,
  eventTypes: ['OrderPaid', 'OrderCancelled'],
  async handle(event: RecordedEvent) {
    if (event.type === 'OrderPaid') {
      const outcome = await shipments.create((event.data as OrderPaid['data']).orderId, event.id);
      if (!outcome.ok) throw new Error(outcome.rejection.reason);
    } else if (event.type === 'OrderCancelled') {
      const { orderId, reason } = event.data as OrderCancelled['data'];
      // not_found: no shipment was created, nothing to undo; conflict: it is past CREATED (cannot be: cancel is refused once SHIPPED).
      await shipments.cancel(shipmentIdFor(orderId), `order cancelled: ${reason}`, event.id);
    }
  },
});
