import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import { asShipmentEvent, shipmentCategory } from '../../shipments/contracts/shipment-events';
import type { InventoryCommands } from './inventory-commands';
import type { ReservationOutcome } from './inventory-outcomes';

const mustSucceed = (outcome: ReservationOutcome): void => {
  if (!outcome.ok) throw new Error(outcome.rejection.reason);
};

/**
 * The inventory follows the orders: a placed order reserves its items (all or none); an order whose
 * payment failed, or that was cancelled, gives back what it holds. The cause of each step is the
 * order's event, so redelivery appends nothing twice.
 */
export const inventoryOnOrders = (inventory: InventoryCommands): Reaction => ({
  name: 'inventory-on-orders',
  category: orderCategory,
  eventTypes: ['OrderPlaced', 'OrderPaymentFailed', 'OrderCancelled'],
  async handle(recorded: RecordedEvent) {
    const event = asOrderEvent(recorded);
    const cause = { causationId: recorded.id };
    switch (event?.type) {
      case 'OrderPlaced': {
        const items = event.data.items.map(({ sku, quantity }) => ({ sku, quantity }));
        mustSucceed(await inventory.reserveInventory({ orderId: event.data.orderId, items }, cause));
        return;
      }
      case 'OrderPaymentFailed':
      case 'OrderCancelled':
        mustSucceed(await inventory.releaseInventory(event.data.orderId, cause));
        return;
      case 'OrderConfirmed':
      case 'OrderRejected':
      case 'OrderPaid':
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

/** A dispatched shipment turns the order's reservation into a deduction of the stock on hand. */
export const inventoryOnShipments = (inventory: InventoryCommands): Reaction => ({
  name: 'inventory-on-shipments',
  category: shipmentCategory,
  eventTypes: ['ShipmentDispatched'],
  async handle(recorded: RecordedEvent) {
    const event = asShipmentEvent(recorded);
    if (event?.type !== 'ShipmentDispatched') return;
    mustSucceed(await inventory.deductInventory(event.data.orderId, { causationId: recorded.id }));
  },
});
