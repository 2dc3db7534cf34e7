import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../shared/http/admin-auth';
import type { ModuleRouter } from '../shared/http/module-router';
import { adminSecurity, problemResponses } from '../shared/http/openapi-document';
import { conflict, notFound } from '../shared/http/problem';
import { parseQuery } from '../shared/http/validate';
import { z } from '../shared/http/zod-openapi';
import type { AdmissionControl } from '../shared/process-managers/admission-gate';
import type { ProcessManagers } from '../shared/process-managers/process-managers.port';
import type { ProjectionRunner } from '../shared/read-models/projection-runner';

const subscriptionSchema = z
  .object({ name: z.string(), checkpoint: z.string(), lag: z.number().int(), retries: z.number().int(), deadLetters: z.number().int() })
  .openapi('Subscription');
const admissionSchema = z
  .object({
    refusing: z.boolean().openapi({ description: 'POST /api/orders answers 503 now' }),
    maxLag: z.number().int().openapi({ description: 'the largest lag of any process manager, as last read (every 200 ms)' }),
    limit: z.number().int().openapi({ description: 'MAX_SAGA_LAG: orders are refused while maxLag is above it' }),
    refusedTotal: z.number().int().openapi({ description: 'orders refused since the process started' }),
  })
  .openapi('Admission');
const deadLetterSchema = z
  .object({
    id: z.union([z.number().int(), z.string()]),
    subscription: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    streamName: z.string(),
    position: z.string(),
    error: z.string(),
    attempts: z.number().int().optional(),
    failedAt: z.string(),
  })
  .openapi('DeadLetter');
const deadLetterQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ description: 'letters per page (at most 500)' }),
  after: z.string().regex(/^[\w:.-]{1,200}$/).optional().openapi({ description: "the previous page's `next`" }),
});

const projectionSchema = z
  .object({
    name: z.string(),
    version: z.number().int(),
    position: z.string(),
    lag: z.number().int(),
    status: z.enum(['live', 'catching up', 'rebuilding', 'failed']),
    progress: z.number().min(0).max(1).optional(),
    lastRebuildError: z.string().optional(),
  })
  .openapi('ProjectionStatus');

/** Operators' view of the background work: process managers, their dead letters, the read models. */
export const adminRouter = (
  adminToken: string,
  reactions: ProcessManagers,
  projections: ProjectionRunner,
  admission: AdmissionControl,
): ModuleRouter => {
  const router = Router();
  const admin = requireAdmin(adminToken);

  router.get('/api/admin/subscriptions', admin, async (_request: Request, response: Response) => {
    const items = (await reactions.status()).map(({ name, checkpoint, lag, retries, deadLetters }) => ({
      name,
      checkpoint,
      lag,
      retries,
      deadLetters,
    }));
    response.json({ items, admission: admission.status() });
  });

  router.get('/api/admin/dead-letters', admin, async (request: Request, response: Response) => {
    const { limit, after } = parseQuery(deadLetterQuerySchema, request);
    const page = await reactions.listDeadLetters({ limit, ...(after === undefined ? {} : { after }) });
    response.json({ items: page.items, next: page.next });
  });

  router.post('/api/admin/dead-letters/:id/retry', admin, async (request: Request, response: Response) => {
    const id = String(request.params.id);
    const retried = await reactions.retry(id);
    switch (retried.outcome) {
      case 'not_found':
        throw notFound(`dead letter ${id}`);
      case 'failed':
        throw conflict(`the retry failed again: ${retried.error}`);
      case 'replayed':
        response.status(202).json({ id: retried.id, status: 'replayed' });
        return;
      case 'replaying':
        response.status(202).json({ id: retried.id, status: 'replaying', replaying: retried.ids });
        return;
      default: {
        const unknown: never = retried;
        throw new Error(`unknown retry outcome ${String(unknown)}`);
      }
    }
  });

  router.get('/api/admin/projections', admin, async (_request: Request, response: Response) => {
    response.json({ items: await projections.status() });
  });

  router.post('/api/admin/projections/:name/rebuild', admin, (request: Request, response: Response) => {
    const name = String(request.params.name);
    const outcome = projections.requestRebuild(name);
    if (outcome === 'not_found') throw notFound(`read model ${name}`);
    if (outcome === 'already_rebuilding') throw conflict(`read model ${name} is being rebuilt already`);
    response.status(202).setHeader('Location', '/api/admin/projections').json({ name, status: 'rebuilding' });
  });

  const registerOpenApi = (registry: OpenAPIRegistry) => {
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

  return { name: 'admin', router, registerOpenApi };
};
