import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { orderCategory, type OrderPlaced } from '../../orders/contracts/order-events';
import { shipmentCategory, type ShipmentDispatched } from '../../shipments/contracts/shipment-events';
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
  async handle(event: RecordedEvent) {
    const { orderId } = event.data as { orderId: string };
    const cause = { causationId: event.id };
    if (event.type === 'OrderPlaced') {
      const items = (event.data as OrderPlaced['data']).items.map(({ sku, quantity }) => ({ sku, quantity }));
      mustSucceed(await inventory.reserveInventory({ orderId, items }, cause));
    } else {
      mustSucceed(await inventory.releaseInventory(orderId, cause));
    }
  },
});

/** A dispatched shipment turns the order's reservation into a deduction of the stock on hand. */
export const inventoryOnShipments = (inventory: InventoryCommands): Reaction => ({
  name: 'inventory-on-shipments',
  category: shipmentCategory,
  eventTypes: ['ShipmentDispatched'],
  async handle(event: RecordedEvent) {
    const { orderId } = event.data as ShipmentDispatched['data'];
    mustSucceed(await inventory.deductInventory(orderId, { causationId: event.id }));
  },
});
