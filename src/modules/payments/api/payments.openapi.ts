import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, problemResponses } from '../../../shared/http-toolkit/openapi-document';
import { z } from '../../../shared/http-toolkit/zod-openapi';
import { paymentListQuerySchema, paymentListSchema, paymentSchema } from './payment.schemas';

/** The OpenAPI paths `payments.router.ts` serves, from the schemas it validates with. */
export const registerPaymentsOpenApi = (registry: OpenAPIRegistry): void => {
  registry.registerPath({
    method: 'get',
    path: '/api/payments',
    summary: "Find an order's payment",
    security: adminSecurity,
    request: { query: paymentListQuerySchema },
    responses: {
      200: { description: "the order's payment, if it was charged", content: { 'application/json': { schema: paymentListSchema } } },
      ...problemResponses(400, 401),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/payments/{paymentId}',
    summary: 'Get a payment',
    security: adminSecurity,
    request: { params: z.object({ paymentId: z.string().uuid() }) },
    responses: {
      200: { description: 'the payment', content: { 'application/json': { schema: paymentSchema } } },
      ...problemResponses(401, 404),
    },
  });
};
