import { statelessWorkflow } from '../../../shared/domain/workflow';
import type { OrderEvent } from '../../orders/contracts/order-events';

export type ShipmentsSagaCommand =
  | { readonly type: 'CreateShipment'; readonly orderId: string }
  /** Cancels the order's shipment if one was created; nothing when none was. */
  | { readonly type: 'CancelOrderShipment'; readonly orderId: string; readonly reason: string };

/**
 * A paid order gets a shipment; a shipment created for an order that was then cancelled (the two
 * raced) is cancelled and never dispatched.
 */
export const decideShipmentSteps = (event: OrderEvent): readonly ShipmentsSagaCommand[] => {
  switch (event.type) {
    case 'OrderPaid':
      return [{ type: 'CreateShipment', orderId: event.data.orderId }];
    case 'OrderCancelled':
      return [{ type: 'CancelOrderShipment', orderId: event.data.orderId, reason: `order cancelled: ${event.data.reason}` }];
    case 'OrderPlaced':
    case 'OrderConfirmed':
    case 'OrderRejected':
    case 'OrderPaymentFailed':
    case 'OrderShipped':
    case 'OrderDelivered':
      return [];
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

export const shipmentsSagaWorkflow = statelessWorkflow(decideShipmentSteps);
