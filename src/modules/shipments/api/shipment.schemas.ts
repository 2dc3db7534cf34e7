import { uuidPattern } from '../../../shared/http-toolkit/uuid-pattern';
import { z } from '../../../shared/http-toolkit/zod-openapi';

export const trackingNumberPattern = /^TRK[A-Z2-7]{12}$/;

export const shipmentIdParamsSchema = z.object({ shipmentId: z.string() });

export const trackingNumberParamsSchema = z.object({ trackingNumber: z.string() });

export const shipmentListQuerySchema = z
  .strictObject({ orderId: z.string().regex(uuidPattern, 'must be an order id (a uuid)') })
  .openapi('ShipmentListQuery');

/** The carrier's dispatch and deliver take no fields: no body, or an empty JSON object. */
export const carrierEventBodySchema = z.strictObject({}).openapi('CarrierEvent');

export const shipmentSchema = z
  .object({
    shipmentId: z.string(),
    orderId: z.string(),
    trackingNumber: z.string(),
    status: z.enum(['CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED']),
    reason: z.string().optional(),
    createdAt: z.string(),
    dispatchedAt: z.string().optional(),
    deliveredAt: z.string().optional(),
    updatedAt: z.string(),
  })
  .openapi('Shipment');

export const shipmentListSchema = z.object({ items: z.array(shipmentSchema) }).openapi('ShipmentList');
