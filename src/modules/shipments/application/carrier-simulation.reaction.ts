import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import type { Clock } from '../../../shared/tokens';
import { shipmentCategory } from '../contracts/shipment-events';
import type { ShipmentCommands } from './shipment-commands';

export interface CarrierDelays {
  readonly dispatchAfterMs?: number;
  readonly deliverAfterMs?: number;
}

/**
 * Simulates the carrier (`SHIPMENT_AUTO_DISPATCH_MS`, `SHIPMENT_AUTO_DELIVER_MS`): a shipment is
 * dispatched that long after it was created, and delivered that long after its dispatch. The due
 * time counts from the event's own time, so after a restart the wait is only what is left of it.
 */
export const carrierSimulation = (shipments: ShipmentCommands, delays: CarrierDelays, clock: Clock): Reaction => {
  const waitUntil = async (recorded: RecordedEvent, delayMs: number) => {
    const left = recorded.createdAt.getTime() + delayMs - clock().getTime();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
  const eventTypes = [
    ...(delays.dispatchAfterMs === undefined ? [] : ['ShipmentCreated']),
    ...(delays.deliverAfterMs === undefined ? [] : ['ShipmentDispatched']),
  ];
  return {
    name: 'carrier-simulation',
    category: shipmentCategory,
    eventTypes,
    // It waits on timers, not on work: many shipments may wait at once.
    maxInFlight: 100_000,
    async handle(event: RecordedEvent) {
      const { shipmentId } = event.data as { shipmentId: string };
      if (event.type === 'ShipmentCreated' && delays.dispatchAfterMs !== undefined) {
        await waitUntil(event, delays.dispatchAfterMs);
        await shipments.dispatch(shipmentId, event.id); // a shipment cancelled meanwhile stays undispatched
      } else if (event.type === 'ShipmentDispatched' && delays.deliverAfterMs !== undefined) {
        await waitUntil(event, delays.deliverAfterMs);
        await shipments.deliver(shipmentId, event.id);
      }
    },
  };
};
