import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import type { ShipmentCommands } from './shipment-commands';
import { shipmentIdFor } from './shipment-stream';

/**
 * A paid order gets a shipment; a shipment created for an order that was then cancelled (the two
 * raced) is cancelled and never dispatched.
 */
export const shipmentsOnOrders = (shipments: ShipmentCommands): Reaction => ({
  name: 'shipments-on-orders',
  category: orderCategory,
  eventTypes: ['OrderPaid', 'OrderCancelled'],
  async handle(recorded: RecordedEvent) {
    const event = asOrderEvent(recorded);
    switch (event?.type) {
      case 'OrderPaid': {
        const outcome = await shipments.create(event.data.orderId, recorded.id);
        if (!outcome.ok) throw new Error(outcome.rejection.reason);
        return;
      }
      case 'OrderCancelled': {
        const { orderId, reason } = event.data;
        // not_found: no shipment was created, nothing to undo; conflict: it is past CREATED (cannot be: cancel is refused once SHIPPED).
        await shipments.cancel(shipmentIdFor(orderId), `order cancelled: ${reason}`, recorded.id);
        return;
      }
      case 'OrderPlaced':
      case 'OrderConfirmed':
      case 'OrderRejected':
      case 'OrderPaymentFailed':
      case 'OrderShipped':
      case 'OrderDelivered':
      case undefined:
        return;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  },
});
