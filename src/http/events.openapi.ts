import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, problemResponses } from '../shared/http-toolkit/openapi-document';
import { z } from '../shared/http-toolkit/zod-openapi';
import { eventEnvelopeSchema, eventListQuerySchema, eventPageSchema } from './events.schemas';

/** The OpenAPI paths `events.router.ts` serves, from the schemas it validates with. */
export const registerEventsOpenApi = (registry: OpenAPIRegistry): void => {
  registry.registerPath({
    method: 'get',
    path: '/api/events',
    summary:
      'Events in store order; the filters combine. nextPosition: pass it as `after` for the next page; null when no more events match. ' +
      'Filters that combine read at most 10,000 entries of the first one per request: a page may then hold fewer events than `limit`, even none, with a nextPosition to go on from',
    security: adminSecurity,
    request: { query: eventListQuerySchema },
    responses: {
      200: { description: 'a page of events', content: { 'application/json': { schema: eventPageSchema } } },
      ...problemResponses(400, 401),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/events/{eventId}',
    summary: 'One event by its id',
    security: adminSecurity,
    request: { params: z.object({ eventId: z.string() }) },
    responses: {
      200: { description: 'the event', content: { 'application/json': { schema: eventEnvelopeSchema } } },
      ...problemResponses(401, 404),
    },
  });
};
