import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http/admin-auth';
import type { ModuleRouter } from '../../../shared/http/module-router';
import { adminSecurity, problemResponses } from '../../../shared/http/openapi-document';
import { conflict, notFound, serviceUnavailable } from '../../../shared/http/problem';
import { parseParams } from '../../../shared/http/validate';
import { z } from '../../../shared/http/zod-openapi';
import type { CustomerErasure } from '../application/customer-erasure';
import { customerIdSchema } from './order.schemas';

const customerParamsSchema = z.strictObject({ customerId: customerIdSchema });

const erasedSchema = z
  .object({ customerId: z.string(), status: z.literal('erased'), orders: z.number().int().openapi({ description: 'the orders whose personal data now reads as null' }) })
  .openapi('PersonalDataErased');

/** CONTRACT §7: `DELETE /api/customers/:customerId/personal-data` (admin). */
export const customersRouter = ({ adminToken, erasure }: { readonly adminToken: string; readonly erasure: CustomerErasure }): ModuleRouter => {
  const router = Router();

  router.delete('/api/customers/:customerId/personal-data', requireAdmin(adminToken), async (request: Request, response: Response) => {
    const { customerId } = parseParams(customerParamsSchema, request);
    const erased = await erasure.erase(customerId);
    switch (erased.outcome) {
      case 'erased':
        response.status(202).json({ customerId, status: 'erased', orders: erased.orders });
        return;
      case 'no_orders':
        throw notFound(`customer ${customerId} (no orders)`);
      case 'unsettled':
        throw conflict(`customer ${customerId} has orders not settled yet; erase once they are`, { orderIds: erased.orderIds });
      case 'rebuilding':
        response.setHeader('Retry-After', '5');
        throw conflict('the orders read model is being rebuilt; erase once it is done');
      case 'read_model_behind':
        response.setHeader('Retry-After', '1');
        throw serviceUnavailable('read-model-behind', "the orders read model has not caught up with the store, so the customer's orders cannot be checked yet; try again shortly");
      default: {
        const unknown: never = erased;
        throw new Error(`unknown erasure outcome ${String(unknown)}`);
      }
    }
  });

  const registerOpenApi = (registry: OpenAPIRegistry) => {
    registry.registerPath({
      method: 'delete',
      path: '/api/customers/{customerId}/personal-data',
      summary:
        "Erase a customer's personal data (the shipping address): from then on it reads as null everywhere, with metadata.personalDataErased on the events, " +
        'after rebuilds and restarts too; the key that sealed it is destroyed, the log itself stays append-only',
      security: adminSecurity,
      request: { params: customerParamsSchema },
      responses: {
        202: { description: 'erased', content: { 'application/json': { schema: erasedSchema } } },
        ...problemResponses(400, 401, 404, 409, 503),
      },
    });
  };

  return { name: 'customers', router, registerOpenApi };
};
