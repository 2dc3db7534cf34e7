import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { ProcessManager } from '../../../event-store/consumer-groups.port';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import type { ShipmentCommands } from './shipment-commands';
import { type ShipmentsSagaCommand, shipmentsSagaWorkflow } from './shipments-saga.workflow';
import { shipmentIdFor } from './shipment-stream';

const send = async (shipments: ShipmentCommands, command: ShipmentsSagaCommand, causationId: string): Promise<void> => {
  switch (command.type) {
    case 'CreateShipment': {
      const outcome = await shipments.create(command.orderId, causationId);
      if (!outcome.ok) throw new Error(outcome.rejection.reason);
      return;
    }
    case 'CancelOrderShipment':
      // not_found: no shipment was created, nothing to undo; conflict: it is past CREATED (cannot be: cancel is refused once SHIPPED).
      await shipments.cancel(shipmentIdFor(command.orderId), command.reason, causationId);
      return;
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

/** The runner of the shipments workflow: narrows the order's event and does what the workflow asks, with the event as the cause. */
export const shipmentsOnOrders = (shipments: ShipmentCommands): ProcessManager => ({
  name: 'shipments-on-orders',
  category: orderCategory,
  eventTypes: ['OrderPaid', 'OrderCancelled'],
  async handle(recorded: RecordedEvent) {
    const event = asOrderEvent(recorded);
    if (event === undefined) return;
    for (const command of shipmentsSagaWorkflow.decide(event, shipmentsSagaWorkflow.initialState)) await send(shipments, command, recorded.id);
  },
});
