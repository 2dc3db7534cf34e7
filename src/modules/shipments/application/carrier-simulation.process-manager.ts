import { setTimeout as sleep } from 'node:timers/promises';
import type { HandleContext } from '../../../event-store/consumer-groups.port';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { ProcessManager } from '../../../event-store/consumer-groups.port';
import type { Clock } from '../../../shared/tokens';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import { asShipmentEvent, shipmentCategory } from '../contracts/shipment-events';
import { type CarrierCommand, type CarrierSimulationInput, carrierSimulationWorkflow } from './carrier-simulation.workflow';
import type { ShipmentCommands } from './shipment-commands';

/** Waits until `delayMs` after the event; a stop ends the wait with an error (the event comes again after the restart). */
const waitUntil = async (recorded: RecordedEvent, delayMs: number, clock: Clock, context: HandleContext | undefined) => {
  const left = recorded.createdAt.getTime() + delayMs - clock().getTime();
  if (left > 0) await sleep(left, undefined, context === undefined ? {} : { signal: context.signal });
};

const send = async (shipments: ShipmentCommands, command: CarrierCommand, causationId: string): Promise<void> => {
  switch (command.type) {
    case 'PickUpShipment': {
      const outcome = await shipments.dispatch(command.shipmentId, { causationId, orderShipped: true });
      if (!outcome.ok && outcome.rejection.code !== 'conflict') throw new Error(outcome.rejection.reason);
      return;
    }
    case 'DeliverShipment':
      await shipments.deliver(command.shipmentId, causationId);
      return;
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

/** The runner: narrows the event, waits until its due time, then does what the workflow asks. */
const runner =
  (shipments: ShipmentCommands, narrow: (event: RecordedEvent) => CarrierSimulationInput | undefined, delayMs: number | undefined, clock: Clock) =>
  async (recorded: RecordedEvent, context?: HandleContext): Promise<void> => {
    const event = narrow(recorded);
    if (event === undefined) return;
    const commands = carrierSimulationWorkflow.decide(event, carrierSimulationWorkflow.initialState);
    if (commands.length === 0) return;
    await waitUntil(recorded, delayMs ?? 0, clock, context);
    for (const command of commands) await send(shipments, command, recorded.id);
  };

/**
 * Simulates the carrier's pick-up (`SHIPMENT_AUTO_DISPATCH_MS`): a shipment is dispatched that long
 * after its order became SHIPPED, the point after which the order can no longer be cancelled. The
 * due time counts from the event's own time, so after a restart the wait is only what is left.
 */
export const carrierPickUp = (shipments: ShipmentCommands, dispatchAfterMs: number | undefined, clock: Clock): ProcessManager => ({
  name: 'carrier-pick-up',
  category: orderCategory,
  // Off unless SHIPMENT_AUTO_DISPATCH_MS is set: a process manager with nothing to handle is not run.
  eventTypes: dispatchAfterMs === undefined ? [] : ['OrderShipped'],
  // It waits on timers, not on work: many shipments may wait at once.
  maxInFlight: 100_000,
  maxHoldMs: dispatchAfterMs,
  handle: runner(shipments, asOrderEvent, dispatchAfterMs, clock),
});

/** Simulates the carrier's delivery (`SHIPMENT_AUTO_DELIVER_MS`), that long after the dispatch. */
export const carrierDelivery = (shipments: ShipmentCommands, deliverAfterMs: number | undefined, clock: Clock): ProcessManager => ({
  name: 'carrier-delivery',
  category: shipmentCategory,
  eventTypes: deliverAfterMs === undefined ? [] : ['ShipmentDispatched'],
  maxInFlight: 100_000,
  maxHoldMs: deliverAfterMs,
  handle: runner(shipments, asShipmentEvent, deliverAfterMs, clock),
});
