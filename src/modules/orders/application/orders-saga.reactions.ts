import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { CommandContext } from '../../../shared/application/command-handler';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { inventoryCategory, type InventoryReservationFailed, type InventoryReserved } from '../../inventory/contracts/inventory-events';
import type { PaymentFailed, PaymentProcessed } from '../../payments/contracts/payment-events';
import { paymentCategory } from '../../payments/contracts/payment-events';
import type { ShipmentCreated, ShipmentDelivered } from '../../shipments/contracts/shipment-events';
import { shipmentCategory } from '../../shipments/contracts/shipment-events';
import type { OrderCommand } from '../domain/order.decide';
import type { OrderCommands, Outcome } from './order-commands';

/** Each step's effect ids derive from the event that caused it, so redelivery appends nothing twice. */
const causedBy = (event: RecordedEvent, orderId: string): CommandContext => ({
  correlationId: orderId,
  causationId: event.id,
  deterministicIds: true,
});

/** A step refused only for a missing order; anything else decided nothing because the order moved on. */
const mustExist = (outcome: Outcome): void => {
  if (!outcome.ok && outcome.rejection.code === 'not_found') throw new Error(outcome.rejection.reason);
};

const stepFor =
  (orders: OrderCommands, toCommand: (event: RecordedEvent) => { orderId: string; command: OrderCommand } | undefined) =>
  async (event: RecordedEvent): Promise<void> => {
    const step = toCommand(event);
    if (step === undefined) return;
    mustExist(await orders.step(step.orderId, step.command, causedBy(event, step.orderId)));
  };

/** Orders follow the inventory: reserved stock confirms an order, a shortage rejects it. */
export const ordersOnInventory = (orders: OrderCommands): Reaction => ({
  name: 'orders-on-inventory',
  category: inventoryCategory,
  eventTypes: ['InventoryReserved', 'InventoryReservationFailed'],
  handle: stepFor(orders, (event) => {
    if (event.type === 'InventoryReserved') {
      return { orderId: (event.data as InventoryReserved['data']).orderId, command: { type: 'ConfirmOrder' } };
    }
    const { orderId, reason } = event.data as InventoryReservationFailed['data'];
    return { orderId, command: { type: 'RejectOrder', reason } };
  }),
});

/** Orders follow the payments: a processed payment makes the order PAID, a failed one PAYMENT_FAILED. */
export const ordersOnPayments = (orders: OrderCommands): Reaction => ({
  name: 'orders-on-payments',
  category: paymentCategory,
  eventTypes: ['PaymentProcessed', 'PaymentFailed'],
  handle: stepFor(orders, (event) => {
    if (event.type === 'PaymentProcessed') {
      const { orderId, paymentId } = event.data as PaymentProcessed['data'];
      return { orderId, command: { type: 'MarkOrderPaid', paymentId } };
    }
    const { orderId, reason } = event.data as PaymentFailed['data'];
    return { orderId, command: { type: 'MarkOrderPaymentFailed', reason } };
  }),
});

/** Orders follow the shipments: a created shipment makes the order SHIPPED, a delivered one DELIVERED. */
export const ordersOnShipments = (orders: OrderCommands): Reaction => ({
  name: 'orders-on-shipments',
  category: shipmentCategory,
  eventTypes: ['ShipmentCreated', 'ShipmentDelivered'],
  handle: stepFor(orders, (event) => {
    if (event.type === 'ShipmentCreated') {
      const { orderId, shipmentId, trackingNumber } = event.data as ShipmentCreated['data'];
      return { orderId, command: { type: 'MarkOrderShipped', shipmentId, trackingNumber } };
    }
    const { orderId } = event.data as ShipmentDelivered['data'];
    return { orderId, command: { type: 'MarkOrderDelivered' } };
  }),
});
