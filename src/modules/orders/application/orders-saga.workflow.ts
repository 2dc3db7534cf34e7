import { statelessWorkflow } from '../../../shared/domain/workflow';
import type { InventoryEvent } from '../../inventory/contracts/inventory-events';
import type { PaymentEvent } from '../../payments/contracts/payment-events';
import type { ShipmentEvent } from '../../shipments/contracts/shipment-events';
import type { OrderCommand } from '../domain/order.decider';

/** What the orders follow: the outcomes of the other modules' steps. */
export type OrdersSagaInput = InventoryEvent | PaymentEvent | ShipmentEvent;

/** A step of the order, addressed to the order's stream. */
export interface OrderStep {
  readonly orderId: string;
  readonly command: OrderCommand;
}

/**
 * Orders follow the other modules: reserved stock confirms an order and a shortage rejects it; a
 * processed payment makes it PAID and a failed one PAYMENT_FAILED; a created shipment makes it
 * SHIPPED and a delivered one DELIVERED. Anything else asks nothing of the order.
 */
export const decideOrderSteps = (event: OrdersSagaInput): readonly OrderStep[] => {
  switch (event.type) {
    case 'InventoryReserved':
      return [{ orderId: event.data.orderId, command: { type: 'ConfirmOrder' } }];
    case 'InventoryReservationFailed':
      return [{ orderId: event.data.orderId, command: { type: 'RejectOrder', reason: event.data.reason } }];
    case 'PaymentProcessed':
      return [{ orderId: event.data.orderId, command: { type: 'MarkOrderPaid', paymentId: event.data.paymentId } }];
    case 'PaymentFailed':
      return [{ orderId: event.data.orderId, command: { type: 'MarkOrderPaymentFailed', reason: event.data.reason } }];
    case 'ShipmentCreated': {
      const { orderId, shipmentId, trackingNumber } = event.data;
      return [{ orderId, command: { type: 'MarkOrderShipped', shipmentId, trackingNumber } }];
    }
    case 'ShipmentDelivered':
      return [{ orderId: event.data.orderId, command: { type: 'MarkOrderDelivered' } }];
    case 'InventoryReservationRequested':
    case 'InventoryReleased':
    case 'InventoryDeducted':
    case 'PaymentRefunded':
    case 'ShipmentDispatched':
    case 'ShipmentCancelled':
      return [];
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

export const ordersSagaWorkflow = statelessWorkflow(decideOrderSteps);
