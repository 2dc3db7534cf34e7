import { statelessWorkflow } from '../../../shared/domain/workflow';
import type { OrderEvent } from '../../orders/contracts/order-events';
import type { ShipmentEvent } from '../../shipments/contracts/shipment-events';
import type { StockLine } from '../contracts/inventory-events';

/** What the inventory follows: the orders, and the shipments leaving. */
export type InventorySagaInput = OrderEvent | ShipmentEvent;

export type InventorySagaCommand =
  | { readonly type: 'ReserveInventory'; readonly orderId: string; readonly items: readonly StockLine[] }
  | { readonly type: 'ReleaseInventory'; readonly orderId: string }
  | { readonly type: 'DeductInventory'; readonly orderId: string };

/**
 * A placed order reserves its items (all or none); an order whose payment failed, or that was
 * cancelled, gives back what it holds; a dispatched shipment turns the order's reservation into a
 * deduction of the stock on hand.
 */
export const decideInventorySteps = (event: InventorySagaInput): readonly InventorySagaCommand[] => {
  switch (event.type) {
    case 'OrderPlaced':
      return [{ type: 'ReserveInventory', orderId: event.data.orderId, items: event.data.items.map(({ sku, quantity }) => ({ sku, quantity })) }];
    case 'OrderPaymentFailed':
    case 'OrderCancelled':
      return [{ type: 'ReleaseInventory', orderId: event.data.orderId }];
    case 'ShipmentDispatched':
      return [{ type: 'DeductInventory', orderId: event.data.orderId }];
    case 'OrderConfirmed':
    case 'OrderRejected':
    case 'OrderPaid':
    case 'OrderShipped':
    case 'OrderDelivered':
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

export const inventorySagaWorkflow = statelessWorkflow(decideInventorySteps);
