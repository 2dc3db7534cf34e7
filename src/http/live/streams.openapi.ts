import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, problemResponses } from '../../shared/http-toolkit/openapi-document';
import { z } from '../../shared/http-toolkit/zod-openapi';
import { orderStreamQuerySchema, logStreamQuerySchema } from './streams.schemas';

/** The OpenAPI paths `streams.router.ts` serves, from the schemas it validates with. */
export const registerStreamsOpenApi = (registry: OpenAPIRegistry): void => {
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
