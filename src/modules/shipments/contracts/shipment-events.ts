import type { DomainEvent } from '../../../shared/domain/decider';
import { narrowing } from '../../../shared/domain/event-narrowing';

export const shipmentCategory = 'Shipment';

export type ShipmentStatus = 'CREATED' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED';

/** Times are ISO 8601 strings, read from the clock by the application and passed in with the command. */
export type ShipmentCreated = DomainEvent<
  'ShipmentCreated',
  { orderId: string; shipmentId: string; trackingNumber: string; createdAt: string }
>;
export type ShipmentDispatched = DomainEvent<'ShipmentDispatched', { orderId: string; shipmentId: string; dispatchedAt: string }>;
export type ShipmentDelivered = DomainEvent<'ShipmentDelivered', { orderId: string; shipmentId: string; deliveredAt: string }>;
/** A shipment created for an order that a cancel reached first: it is never dispatched. */
export type ShipmentCancelled = DomainEvent<
  'ShipmentCancelled',
  { orderId: string; shipmentId: string; reason: string; cancelledAt: string }
>;

export type ShipmentEvent = ShipmentCreated | ShipmentDispatched | ShipmentDelivered | ShipmentCancelled;

export const shipmentEventTypes = [
  'ShipmentCreated',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ShipmentCancelled',
] as const satisfies readonly ShipmentEvent['type'][];

/** A stored event as the shipment event its type names, or undefined for any other type. */
export const asShipmentEvent = narrowing<ShipmentEvent>(shipmentEventTypes);
