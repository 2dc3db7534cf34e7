import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { CommandContext } from '../../../shared/application/command-handler';
import type { ProcessManager } from '../../../event-store/consumer-groups.port';
import { asReservationEvent, inventoryCategory } from '../../inventory/contracts/inventory-events';
import { asPaymentEvent, paymentCategory } from '../../payments/contracts/payment-events';
import { asShipmentEvent, shipmentCategory } from '../../shipments/contracts/shipment-events';
import type { OrderCommands, Outcome } from './order-commands';
import { type OrdersSagaInput, ordersSagaWorkflow } from './orders-saga.workflow';

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

/** The runner: narrows the event, asks the workflow, and sends each step to the order's stream. */
const runner =
  (orders: OrderCommands, narrow: (event: RecordedEvent) => OrdersSagaInput | undefined) =>
  async (recorded: RecordedEvent): Promise<void> => {
    const event = narrow(recorded);
    if (event === undefined) return;
    for (const step of ordersSagaWorkflow.decide(event, ordersSagaWorkflow.initialState)) {
      mustExist(await orders.step(step.orderId, step.command, causedBy(recorded, step.orderId)));
    }
  };

/** Orders follow the inventory: reserved stock confirms an order, a shortage rejects it. */
export const ordersOnInventory = (orders: OrderCommands): ProcessManager => ({
  name: 'orders-on-inventory',
  category: inventoryCategory,
  eventTypes: ['InventoryReserved', 'InventoryReservationFailed'],
  handle: runner(orders, asReservationEvent),
});

/** Orders follow the payments: a processed payment makes the order PAID, a failed one PAYMENT_FAILED. */
export const ordersOnPayments = (orders: OrderCommands): ProcessManager => ({
  name: 'orders-on-payments',
  category: paymentCategory,
  eventTypes: ['PaymentProcessed', 'PaymentFailed'],
  handle: runner(orders, asPaymentEvent),
});

/** Orders follow the shipments: a created shipment makes the order SHIPPED, a delivered one DELIVERED. */
export const ordersOnShipments = (orders: OrderCommands): ProcessManager => ({
  name: 'orders-on-shipments',
  category: shipmentCategory,
  eventTypes: ['ShipmentCreated', 'ShipmentDelivered'],
  handle: runner(orders, asShipmentEvent),
});
