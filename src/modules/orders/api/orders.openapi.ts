import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, ifMatchHeader, problemResponses, problemSchema } from '../../../shared/http-toolkit/openapi-document';
import { z } from '../../../shared/http-toolkit/zod-openapi';
import { cancelOrderBodySchema, idempotencyKeySchema, orderListQuerySchema, orderListSchema, orderSchema, placeOrderBodySchema } from './order.schemas';

/** The OpenAPI paths `orders.router.ts` serves, from the schemas it validates with. */
export const registerOrdersOpenApi = (registry: OpenAPIRegistry): void => {
  const orderParams = z.object({ orderId: z.string().uuid() });
  registry.registerPath({
    method: 'post',
    path: '/api/orders',
    summary: 'Place an order (status PENDING); prices come from the catalog',
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKeySchema }),
      body: { content: { 'application/json': { schema: placeOrderBodySchema } } },
    },
    responses: {
      201: { description: 'the order, PENDING', content: { 'application/json': { schema: orderSchema } } },
      ...problemResponses(400, 413, 415, 422),
      503: {
        description:
          'refused, nothing written: the process managers are behind by more than MAX_SAGA_LAG events (admission control); ' +
          'try again after Retry-After. Also when the event store cannot be reached',
        headers: z.object({
          'Retry-After': z.number().int().min(1).openapi({ description: 'whole seconds to wait before trying again', example: 3 }),
        }),
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/orders',
    summary: 'List orders, newest first',
    security: adminSecurity,
    request: { query: orderListQuerySchema },
    responses: {
      200: { description: 'a page of orders', content: { 'application/json': { schema: orderListSchema } } },
      ...problemResponses(400, 401),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/orders/{orderId}',
    summary: 'Get an order (ETag: its version)',
    request: { params: orderParams },
    responses: {
      200: { description: 'the order', content: { 'application/json': { schema: orderSchema } } },
      304: { description: 'not modified since the If-None-Match version' },
      ...problemResponses(404),
    },
  });
  const stepStatus = z
    .enum(['pending', 'completed', 'failed', 'compensated', 'skipped'])
    .openapi({ description: 'skipped: the order settled (rejected, declined, cancelled) before this step; it will never happen' });
  const sagaEvent = z.object({
    eventId: z.string(),
    eventType: z.string(),
    aggregateType: z.string(),
    aggregateId: z.string(),
    position: z.string(),
    occurredAt: z.string(),
  }).openapi('SagaEvent', { description: 'an event, named as in GET /api/events' });
  registry.registerPath({
    method: 'get',
    path: '/api/orders/{orderId}/saga',
    summary: "The process manager's state of the order, built from the events of its life",
    security: adminSecurity,
    request: { params: orderParams },
    responses: {
      200: {
        description: 'steps, deadline, compensations sent, and the events so far',
        content: {
          'application/json': {
            schema: z
              .object({
                orderId: z.string(),
                status: orderSchema.shape.status,
                steps: z.object({ inventory: stepStatus, payment: stepStatus, shipping: stepStatus }),
                deadline: z.string(),
                compensations: z.array(sagaEvent),
                history: z.array(sagaEvent),
              })
              .openapi('OrderSaga'),
          },
        },
      },
      ...problemResponses(401, 404),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/orders/{orderId}/cancel',
    summary: 'Cancel an order that is PENDING, CONFIRMED or PAID',
    request: { params: orderParams, headers: ifMatchHeader, body: { content: { 'application/json': { schema: cancelOrderBodySchema } } } },
    responses: {
      202: { description: 'the order, CANCELLED; compensations follow', content: { 'application/json': { schema: orderSchema } } },
      ...problemResponses(400, 404, 409, 412, 413, 415),
    },
  });
};
