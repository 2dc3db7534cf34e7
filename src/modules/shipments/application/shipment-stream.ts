import { deterministicId } from '../../../shared/application/event-ids';
import { shipmentCategory } from '../contracts/shipment-events';

/** The shipment's own stream and id: private to the shipments module. */
export const shipmentStream = (shipmentId: string): string => `${shipmentCategory}-${shipmentId}`;
/** One shipment per order: its id derives from the order's, so creating it again finds the first. */
export const shipmentIdFor = (orderId: string): string => deterministicId(orderId, 'shipment');
