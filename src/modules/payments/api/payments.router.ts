import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http-toolkit/admin-auth';
import type { ModuleRouter } from '../../../shared/http-toolkit/module-router';
import { notFound } from '../../../shared/http-toolkit/problem';
import type { ReadYourWrites } from '../../../shared/http-toolkit/read-your-writes';
import { parseParams, parseQuery } from '../../../shared/http-toolkit/validate';
import type { PaymentQuery } from '../read-models/payment.query';
import { uuidPattern } from '../../../shared/http-toolkit/uuid-pattern';
import { paymentIdParamsSchema, paymentListQuerySchema } from './payment.schemas';
import { registerPaymentsOpenApi } from './payments.openapi';

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

  return { name: 'payments', router, registerOpenApi: registerPaymentsOpenApi };
};
