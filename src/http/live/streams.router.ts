import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../shared/http/admin-auth';
import type { ModuleRouter } from '../../shared/http/module-router';
import { adminSecurity, problemResponses } from '../../shared/http/openapi-document';
import { badRequest, notFound, serviceUnavailable } from '../../shared/http/problem';
import { positionSchema } from '../../shared/http/read-your-writes';
import { parseQuery } from '../../shared/http/validate';
import { z } from '../../shared/http/zod-openapi';
import type { ProjectionRunner } from '../../shared/read-models/projection-runner';
import { eventListQuerySchema } from '../events.router';
import type { EventStreams } from './event-streams';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const orderStreamQuerySchema = z.strictObject({ after: positionSchema.optional() });
const logStreamQuerySchema = eventListQuerySchema.omit({ limit: true });

/** Where a stream resumes: after the `Last-Event-ID` a reconnecting client sends, else after `?after=`. */
const resumeAfter = (request: Request, after: string | undefined): bigint | undefined => {
  const lastEventId = request.header('Last-Event-ID');
  if (lastEventId !== undefined) {
    const parsed = positionSchema.safeParse(lastEventId.trim());
    if (!parsed.success) throw badRequest('Last-Event-ID is not a position', [{ path: 'Last-Event-ID', message: parsed.error.issues[0]!.message }]);
    return BigInt(parsed.data);
  }
  return after === undefined ? undefined : BigInt(after);
};

export interface StreamsRouterParts {
  readonly adminToken: string;
  /** Whether an order of that id was placed: the orders module answers from its own stream. */
  readonly orderExists: (orderId: string) => Promise<boolean>;
  readonly streams: EventStreams;
  /** False where the audit query is not served (EventStoreDB for now): the streams answer 503 as `/api/events` does. */
  readonly served: boolean;
  readonly projections: Pick<ProjectionRunner, 'status' | 'changes'>;
}

/** While a rebuild runs, its progress moves with no event to announce it: the status is read again this often. */
const rebuildProgressMs = 500;

/** CONTRACT §6: an order's events live (public), and the whole log live (admin). Mounted before `/api/events/:eventId`. */
export const streamsRouter = ({ adminToken, orderExists, streams, served, projections }: StreamsRouterParts): ModuleRouter => {
  const router = Router();
  const assertServed = () => {
    if (!served) throw serviceUnavailable('store-unavailable', 'this event store does not serve the event streams yet');
  };

  router.get('/api/orders/:orderId/stream', async (request: Request, response: Response) => {
    const orderId = String(request.params.orderId);
    const after = resumeAfter(request, parseQuery(orderStreamQuerySchema, request).after);
    if (!uuidPattern.test(orderId) || !(await orderExists(orderId))) {
      throw notFound(`order ${orderId}`);
    }
    assertServed();
    await streams.serve(request, response, { filter: { correlationId: orderId }, after });
  });

  router.get('/api/events/stream', requireAdmin(adminToken), async (request: Request, response: Response) => {
    const { after, ...filter } = parseQuery(logStreamQuerySchema, request);
    const from = resumeAfter(request, after);
    assertServed();
    await streams.serve(request, response, { filter, after: from });
  });

  router.get('/api/admin/projections/stream', requireAdmin(adminToken), async (request: Request, response: Response) => {
    parseQuery(z.strictObject({}), request);
    await streams.serveSnapshots(request, response, {
      name: 'status',
      read: async () => ({ items: await projections.status() }),
      signal: projections.changes,
      refreshMs: ({ items }) => (items.some((item) => item.status === 'rebuilding') ? rebuildProgressMs : Infinity),
    });
  });

  const registerOpenApi = (registry: OpenAPIRegistry) => {
    const eventStream = {
      description:
        'text/event-stream: one message per event (id: its position, event: its type, data: its envelope), the history then live; ' +
        'a comment line every 15 s. Reconnect with Last-Event-ID (or ?after=) to resume after an event',
      content: { 'text/event-stream': { schema: z.string() } },
    };
    registry.registerPath({
      method: 'get',
      path: '/api/orders/{orderId}/stream',
      summary: "An order's events as they happen (Server-Sent Events): every event of its saga, in store order",
      request: { params: z.object({ orderId: z.string().uuid() }), query: orderStreamQuerySchema },
      responses: { 200: eventStream, ...problemResponses(400, 404, 503) },
    });
    registry.registerPath({
      method: 'get',
      path: '/api/events/stream',
      summary: 'The whole log as it happens (Server-Sent Events), with the filters of /api/events',
      security: adminSecurity,
      request: { query: logStreamQuerySchema },
      responses: { 200: eventStream, ...problemResponses(400, 401, 503) },
    });
    registry.registerPath({
      method: 'get',
      path: '/api/admin/projections/stream',
      summary: 'The read models as they change (Server-Sent Events): what GET /api/admin/projections answers, again at each change',
      security: adminSecurity,
      responses: {
        200: {
          description:
            'text/event-stream: a `status` message at once, then one each time the status differs (at most every 250 ms; ' +
            "every 500 ms while a rebuild's progress moves); a comment line every 15 s",
          content: { 'text/event-stream': { schema: z.string() } },
        },
        ...problemResponses(400, 401, 503),
      },
    });
  };

  return { name: 'streams', router, registerOpenApi };
};
