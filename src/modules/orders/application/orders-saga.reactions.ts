import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { CommandContext } from '../../../shared/application/command-handler';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { asReservationEvent, inventoryCategory } from '../../inventory/contracts/inventory-events';
import { asPaymentEvent, paymentCategory } from '../../payments/contracts/payment-events';
import { asShipmentEvent, shipmentCategory } from '../../shipments/contracts/shipment-events';
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
  handle: stepFor(orders, (recorded) => {
    const event = asReservationEvent(recorded);
    switch (event?.type) {
      case 'InventoryReserved':
        return { orderId: event.data.orderId, command: { type: 'ConfirmOrder' } };
      case 'InventoryReservationFailed':
        return { orderId: event.data.orderId, command: { type: 'RejectOrder', reason: event.data.reason } };
      case 'InventoryReservationRequested':
      case 'InventoryReleased':
      case 'InventoryDeducted':
      case undefined:
        return undefined;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }),
});

/** Orders follow the payments: a processed payment makes the order PAID, a failed one PAYMENT_FAILED. */
export const ordersOnPayments = (orders: OrderCommands): Reaction => ({
  name: 'orders-on-payments',
  category: paymentCategory,
  eventTypes: ['PaymentProcessed', 'PaymentFailed'],
  handle: stepFor(orders, (recorded) => {
    const event = asPaymentEvent(recorded);
    switch (event?.type) {
      case 'PaymentProcessed':
        return { orderId: event.data.orderId, command: { type: 'MarkOrderPaid', paymentId: event.data.paymentId } };
      case 'PaymentFailed':
        return { orderId: event.data.orderId, command: { type: 'MarkOrderPaymentFailed', reason: event.data.reason } };
      case 'PaymentRefunded':
      case undefined:
        return undefined;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }),
});

/** Orders follow the shipments: a created shipment makes the order SHIPPED, a delivered one DELIVERED. */
export const ordersOnShipments = (orders: OrderCommands): Reaction => ({
  name: 'orders-on-shipments',
  category: shipmentCategory,
  eventTypes: ['ShipmentCreated', 'ShipmentDelivered'],
  handle: stepFor(orders, (recorded) => {
    const event = asShipmentEvent(recorded);
    switch (event?.type) {
      case 'ShipmentCreated': {
        const { orderId, shipmentId, trackingNumber } = event.data;
        return { orderId, command: { type: 'MarkOrderShipped', shipmentId, trackingNumber } };
      }
      case 'ShipmentDelivered':
        return { orderId: event.data.orderId, command: { type: 'MarkOrderDelivered' } };
      case 'ShipmentDispatched':
      case 'ShipmentCancelled':
      case undefined:
        return undefined;
      default: {
        const unknownEvent: never = event;
        return unknownEvent;
      }
    }
  }),
});
