import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, problemResponses } from '../shared/http-toolkit/openapi-document';
import { z } from '../shared/http-toolkit/zod-openapi';
import { subscriptionSchema, admissionSchema, deadLetterSchema, deadLetterQuerySchema, projectionSchema } from './admin.schemas';

/** The OpenAPI paths `admin.router.ts` serves, from the schemas it validates with. */
export const registerAdminOpenApi = (registry: OpenAPIRegistry): void => {
  const list = (schema: z.ZodType, description: string) => ({
    200: { description, content: { 'application/json': { schema: z.object({ items: z.array(schema) }) } } },
    ...problemResponses(401),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/admin/subscriptions',
    summary: "Each process manager's checkpoint, lag, retries and dead letters, and whether new orders are refused now (admission control)",
    security: adminSecurity,
    responses: {
      200: {
        description: 'the subscriptions, and the admission of new orders',
        content: { 'application/json': { schema: z.object({ items: z.array(subscriptionSchema), admission: admissionSchema }) } },
      },
      ...problemResponses(401),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/admin/dead-letters',
    summary: 'Messages that failed all their retries, with the error; oldest first, a page at a time',
    security: adminSecurity,
    request: { query: deadLetterQuerySchema },
    responses: {
      200: {
        description: 'a page of dead letters; `next` continues after it (null on the last page)',
        content: { 'application/json': { schema: z.object({ items: z.array(deadLetterSchema), next: z.string().nullable() }) } },
      },
      ...problemResponses(400, 401),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/admin/dead-letters/{id}/retry',
    summary:
      "Run a dead letter's event through its handler again; removed from the list when it succeeds. On EventStoreDB the store delivers it again, with the older letters of its group (status replaying)",
    security: adminSecurity,
    request: { params: z.object({ id: z.string() }) },
    responses: {
      202: {
        description: 'replayed (embedded store), or replaying (EventStoreDB: the ids delivered again)',
        content: {
          'application/json': {
            schema: z.object({
              id: z.union([z.number().int(), z.string()]),
              status: z.enum(['replayed', 'replaying']),
              replaying: z.array(z.string()).optional(),
            }),
          },
        },
      },
      ...problemResponses(401, 404, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/admin/projections',
    summary: 'Each read model: the version and position of the copy that serves, lag, status (rebuilding: with progress)',
    security: adminSecurity,
    responses: list(projectionSchema, 'the read models'),
  });
  registry.registerPath({
    method: 'post',
    path: '/api/admin/projections/{name}/rebuild',
    summary:
      'Rebuild a read model by replaying the store from the start into a new copy; readers keep the old one until the new one has caught up and is swapped in',
    security: adminSecurity,
    request: { params: z.object({ name: z.string() }) },
    responses: {
      202: {
        description: 'the rebuild runs; follow it in GET /api/admin/projections',
        content: { 'application/json': { schema: z.object({ name: z.string(), status: z.literal('rebuilding') }) } },
      },
      ...problemResponses(401, 404, 409),
    },
  });
};
