import type { ShipmentStatus } from '../contracts/shipment-events';
import type { ExistingShipment } from '../domain/shipment';

/** A shipment as the API shows it (CONTRACT §3). */
export interface ShipmentView {
  readonly shipmentId: string;
  readonly orderId: string;
  readonly trackingNumber: string;
  readonly status: ShipmentStatus;
  readonly reason?: string;
  readonly createdAt: string;
  readonly dispatchedAt?: string;
  readonly deliveredAt?: string;
  readonly updatedAt: string;
}

export const toShipmentView = (shipment: ExistingShipment): ShipmentView => ({
  shipmentId: shipment.shipmentId,
  orderId: shipment.orderId,
  trackingNumber: shipment.trackingNumber,
  status: shipment.status,
  ...(shipment.reason === undefined ? {} : { reason: shipment.reason }),
  createdAt: shipment.createdAt,
  ...(shipment.dispatchedAt === undefined ? {} : { dispatchedAt: shipment.dispatchedAt }),
  ...(shipment.deliveredAt === undefined ? {} : { deliveredAt: shipment.deliveredAt }),
  updatedAt: shipment.updatedAt,
});
