import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http-toolkit/admin-auth';
import type { ModuleRouter } from '../../../shared/http-toolkit/module-router';
import { conflict, notFound, serviceUnavailable } from '../../../shared/http-toolkit/problem';
import { parseParams } from '../../../shared/http-toolkit/validate';
import type { CustomerErasure } from '../application/customer-erasure';
import { customerParamsSchema } from './customer.schemas';
import { registerCustomersOpenApi } from './customers.openapi';

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

  return { name: 'customers', router, registerOpenApi: registerCustomersOpenApi };
};
