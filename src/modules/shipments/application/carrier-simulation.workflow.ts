import { statelessWorkflow } from '../../../shared/domain/workflow';
import type { OrderEvent } from '../../orders/contracts/order-events';
import type { ShipmentEvent } from '../contracts/shipment-events';

export type CarrierSimulationInput = OrderEvent | ShipmentEvent;

/** What the simulated carrier does, each after its own delay (the runner keeps the time). */
export type CarrierCommand = { readonly type: 'PickUpShipment'; readonly shipmentId: string } | { readonly type: 'DeliverShipment'; readonly shipmentId: string };

/**
 * The simulated carrier picks a shipment up once its order is SHIPPED (from then on the order can
 * no longer be cancelled), and delivers what it picked up.
 */
export const decideCarrierSteps = (event: CarrierSimulationInput): readonly CarrierCommand[] => {
  switch (event.type) {
    case 'OrderShipped':
      return [{ type: 'PickUpShipment', shipmentId: event.data.shipmentId }];
    case 'ShipmentDispatched':
      return [{ type: 'DeliverShipment', shipmentId: event.data.shipmentId }];
    case 'OrderPlaced':
    case 'OrderConfirmed':
    case 'OrderRejected':
    case 'OrderPaid':
    case 'OrderPaymentFailed':
    case 'OrderDelivered':
    case 'OrderCancelled':
    case 'ShipmentCreated':
    case 'ShipmentDelivered':
    case 'ShipmentCancelled':
      return [];
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

export const carrierSimulationWorkflow = statelessWorkflow(decideCarrierSteps);
