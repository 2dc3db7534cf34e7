import { setTimeout as sleep } from 'node:timers/promises';
import type { HandleContext } from '../../../event-store/consumer-groups.port';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import type { Clock } from '../../../shared/tokens';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import { asShipmentEvent, shipmentCategory } from '../contracts/shipment-events';
import type { ShipmentCommands } from './shipment-commands';

/** Waits until `delayMs` after the event; a stop ends the wait with an error (the event comes again after the restart). */
const waitUntil = async (recorded: RecordedEvent, delayMs: number, clock: Clock, context: HandleContext | undefined) => {
  const left = recorded.createdAt.getTime() + delayMs - clock().getTime();
  if (left > 0) await sleep(left, undefined, context === undefined ? {} : { signal: context.signal });
};

/**
 * Simulates the carrier's pick-up (`SHIPMENT_AUTO_DISPATCH_MS`): a shipment is dispatched that long
 * after its order became SHIPPED, the point after which the order can no longer be cancelled. The
 * due time counts from the event's own time, so after a restart the wait is only what is left.
 */
export const carrierPickUp = (shipments: ShipmentCommands, dispatchAfterMs: number | undefined, clock: Clock): Reaction => ({
  name: 'carrier-pick-up',
  category: orderCategory,
  // Off unless SHIPMENT_AUTO_DISPATCH_MS is set: a reaction with nothing to handle is not run.
  eventTypes: dispatchAfterMs === undefined ? [] : ['OrderShipped'],
  // It waits on timers, not on work: many shipments may wait at once.
  maxInFlight: 100_000,
  maxHoldMs: dispatchAfterMs,
  async handle(event: RecordedEvent, context?: HandleContext) {
    const shipped = asOrderEvent(event);
    if (shipped?.type !== 'OrderShipped') return;
    await waitUntil(event, dispatchAfterMs ?? 0, clock, context);
    const outcome = await shipments.dispatch(shipped.data.shipmentId, { causationId: event.id, orderShipped: true });
    if (!outcome.ok && outcome.rejection.code !== 'conflict') throw new Error(outcome.rejection.reason);
  },
});

/** Simulates the carrier's delivery (`SHIPMENT_AUTO_DELIVER_MS`), that long after the dispatch. */
export const carrierDelivery = (shipments: ShipmentCommands, deliverAfterMs: number | undefined, clock: Clock): Reaction => ({
  name: 'carrier-delivery',
  category: shipmentCategory,
  eventTypes: deliverAfterMs === undefined ? [] : ['ShipmentDispatched'],
  maxInFlight: 100_000,
  maxHoldMs: deliverAfterMs,
  async handle(event: RecordedEvent, context?: HandleContext) {
    const dispatched = asShipmentEvent(event);
    if (dispatched?.type !== 'ShipmentDispatched') return;
    await waitUntil(event, deliverAfterMs ?? 0, clock, context);
    await shipments.deliver(dispatched.data.shipmentId, event.id);
  },
});
