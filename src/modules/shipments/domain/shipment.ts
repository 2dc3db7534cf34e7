import type { ShipmentEvent, ShipmentStatus } from '../contracts/shipment-events';

/** A shipment: CREATED, then DISPATCHED, then DELIVERED; or CANCELLED while still CREATED. Times are ISO strings. */
export type Shipment =
  | { readonly status: 'NONE' }
  | {
      readonly status: ShipmentStatus;
      readonly shipmentId: string;
      readonly orderId: string;
      readonly trackingNumber: string;
      readonly createdAt: string;
      readonly dispatchedAt?: string;
      readonly deliveredAt?: string;
      readonly cancelledAt?: string;
      readonly reason?: string;
      /** The time of its latest change. */
      readonly updatedAt: string;
    };

export type ExistingShipment = Exclude<Shipment, { status: 'NONE' }>;

export const initialShipment: Shipment = { status: 'NONE' };

const advance = (shipment: Shipment, changes: Partial<ExistingShipment>): Shipment =>
  shipment.status === 'NONE' ? shipment : { ...shipment, ...changes };

export const evolveShipment = (shipment: Shipment, event: ShipmentEvent): Shipment => {
  switch (event.type) {
    case 'ShipmentCreated': {
      const { shipmentId, orderId, trackingNumber, createdAt } = event.data;
      if (shipment.status !== 'NONE') return shipment;
      return { status: 'CREATED', shipmentId, orderId, trackingNumber, createdAt, updatedAt: createdAt };
    }
    case 'ShipmentDispatched':
      return advance(shipment, { status: 'DISPATCHED', dispatchedAt: event.data.dispatchedAt, updatedAt: event.data.dispatchedAt });
    case 'ShipmentDelivered':
      return advance(shipment, { status: 'DELIVERED', deliveredAt: event.data.deliveredAt, updatedAt: event.data.deliveredAt });
    case 'ShipmentCancelled':
      return advance(shipment, {
        status: 'CANCELLED',
        reason: event.data.reason,
        cancelledAt: event.data.cancelledAt,
        updatedAt: event.data.cancelledAt,
      });
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
