import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, problemResponses } from '../../../shared/http-toolkit/openapi-document';
import { customerParamsSchema, erasedSchema } from './customer.schemas';

/** The OpenAPI paths `customers.router.ts` serves, from the schemas it validates with. */
export const registerCustomersOpenApi = (registry: OpenAPIRegistry): void => {
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
