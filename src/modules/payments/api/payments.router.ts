import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http/admin-auth';
import type { ModuleRouter } from '../../../shared/http/module-router';
import { adminSecurity, problemResponses } from '../../../shared/http/openapi-document';
import { notFound } from '../../../shared/http/problem';
import type { ReadYourWrites } from '../../../shared/http/read-your-writes';
import { parseParams, parseQuery } from '../../../shared/http/validate';
import { z } from '../../../shared/http/zod-openapi';
import type { PaymentQuery } from '../read-models/payment.query';
import { uuidPattern } from '../../../shared/http/uuid-pattern';
import { paymentIdParamsSchema, paymentListQuerySchema, paymentListSchema, paymentSchema } from './payment.schemas';

export interface PaymentsRouterParts {
  readonly adminToken: string;
  readonly query: PaymentQuery;
  readonly readYourWrites: Pick<ReadYourWrites, 'readModel'>;
}

/** Payments are made by the order's saga, not over HTTP: the API only reads them, for operators. */
export const paymentsRouter = ({ adminToken, query, readYourWrites }: PaymentsRouterParts): ModuleRouter => {
  const router = Router();
  const admin = requireAdmin(adminToken);
  const fromReadModel = readYourWrites.readModel('payments');

  router.get('/api/payments', admin, fromReadModel, (request: Request, response: Response) => {
    const { orderId } = parseQuery(paymentListQuerySchema, request);
    response.json({ items: query.byOrder(orderId) });
  });

  router.get('/api/payments/:paymentId', admin, fromReadModel, (request: Request, response: Response) => {
    const { paymentId } = parseParams(paymentIdParamsSchema, request);
    const payment = uuidPattern.test(paymentId) ? query.byId(paymentId) : undefined;
    if (payment === undefined) throw notFound(`payment ${paymentId}`);
    response.json(payment);
  });

  const registerOpenApi = (registry: OpenAPIRegistry) => {
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

  return { name: 'payments', router, registerOpenApi };
};
