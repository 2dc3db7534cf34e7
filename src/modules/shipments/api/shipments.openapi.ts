import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, ifMatchHeader, problemResponses } from '../../../shared/http-toolkit/openapi-document';
import { z } from '../../../shared/http-toolkit/zod-openapi';
import { carrierEventBodySchema, shipmentListQuerySchema, shipmentListSchema, shipmentSchema, trackingNumberPattern } from './shipment.schemas';

/** The OpenAPI paths `shipments.router.ts` serves, from the schemas it validates with. */
export const registerShipmentsOpenApi = (registry: OpenAPIRegistry): void => {
  const shipmentParams = z.object({ shipmentId: z.string().uuid() });
  const shipmentResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: shipmentSchema } },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/shipments',
    summary: "Find an order's shipment",
    request: { query: shipmentListQuerySchema },
    responses: {
      200: { description: "the order's shipment, once created", content: { 'application/json': { schema: shipmentListSchema } } },
      ...problemResponses(400),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/shipments/track/{trackingNumber}',
    summary: 'Track a shipment by its tracking number',
    request: { params: z.object({ trackingNumber: z.string().regex(trackingNumberPattern) }) },
    responses: { 200: shipmentResponse('the shipment'), ...problemResponses(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/shipments/{shipmentId}',
    summary: 'Get a shipment',
    request: { params: shipmentParams },
    responses: { 200: shipmentResponse('the shipment'), ...problemResponses(404) },
  });
  for (const [action, from, summary] of [
    ['dispatch', 'CREATED', 'The carrier picked the shipment up'],
    ['deliver', 'DISPATCHED', 'The carrier delivered the shipment'],
  ] as const) {
    registry.registerPath({
      method: 'post',
      path: `/api/shipments/{shipmentId}/${action}`,
      summary: `${summary} (it must be ${from}); no body, or {}`,
      security: adminSecurity,
      request: {
        params: shipmentParams,
        headers: ifMatchHeader,
        body: { required: false, content: { 'application/json': { schema: carrierEventBodySchema } } },
      },
      responses: {
        200: shipmentResponse('the shipment, changed'),
        ...problemResponses(400, 401, 404, 409, 412, 413, 415),
      },
    });
  }
};
