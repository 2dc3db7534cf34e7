import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { ProcessManager } from '../../../event-store/consumer-groups.port';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import { asShipmentEvent, shipmentCategory } from '../../shipments/contracts/shipment-events';
import type { InventoryCommands } from './inventory-commands';
import type { ReservationOutcome } from './inventory-outcomes';
import { type InventorySagaCommand, type InventorySagaInput, inventorySagaWorkflow } from './inventory-saga.workflow';

const mustSucceed = (outcome: ReservationOutcome): void => {
  if (!outcome.ok) throw new Error(outcome.rejection.reason);
};

const send = (inventory: InventoryCommands, command: InventorySagaCommand, causationId: string): Promise<ReservationOutcome> => {
  const cause = { causationId };
  switch (command.type) {
    case 'ReserveInventory':
      return inventory.reserveInventory({ orderId: command.orderId, items: command.items }, cause);
    case 'ReleaseInventory':
      return inventory.releaseInventory(command.orderId, cause);
    case 'DeductInventory':
      return inventory.deductInventory(command.orderId, cause);
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

/** The runner: narrows the event, asks the workflow, and sends each command with the event as its cause, so redelivery appends nothing twice. */
const runner =
  (inventory: InventoryCommands, narrow: (event: RecordedEvent) => InventorySagaInput | undefined) =>
  async (recorded: RecordedEvent): Promise<void> => {
    const event = narrow(recorded);
    if (event === undefined) return;
    for (const command of inventorySagaWorkflow.decide(event, inventorySagaWorkflow.initialState)) {
      mustSucceed(await send(inventory, command, recorded.id));
    }
  };

/**
 * The inventory follows the orders: a placed order reserves its items (all or none); an order whose
 * payment failed, or that was cancelled, gives back what it holds.
 */
export const inventoryOnOrders = (inventory: InventoryCommands): ProcessManager => ({
  name: 'inventory-on-orders',
  category: orderCategory,
  eventTypes: ['OrderPlaced', 'OrderPaymentFailed', 'OrderCancelled'],
  handle: runner(inventory, asOrderEvent),
});

/** A dispatched shipment turns the order's reservation into a deduction of the stock on hand. */
export const inventoryOnShipments = (inventory: InventoryCommands): ProcessManager => ({
  name: 'inventory-on-shipments',
  category: shipmentCategory,
  eventTypes: ['ShipmentDispatched'],
  handle: runner(inventory, asShipmentEvent),
});
