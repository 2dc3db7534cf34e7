import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { storedVersionOf } from '../event-store/upcasting/event-versions';
import { eventScanLimit, type EventQuery, maxEventPageSize } from '../event-store/event-query.port';
import type { RecordedEvent } from '../event-store/event-store.port';
import { categoryOf, idOf } from '../event-store/stream-name';
import { requireAdmin } from '../shared/http/admin-auth';
import type { ModuleRouter } from '../shared/http/module-router';
import { adminSecurity, problemResponses } from '../shared/http/openapi-document';
import { notFound } from '../shared/http/problem';
import { parseQuery } from '../shared/http/validate';
import { z } from '../shared/http/zod-openapi';

const maxPosition = 2n ** 63n - 1n;
const text = z.string().min(1).max(200);

export const eventListQuerySchema = z.strictObject({
  eventType: text.optional(),
  aggregateId: text.optional(),
  aggregateType: text.optional(),
  correlationId: text.optional(),
  after: z
    .string()
    .regex(/^\d{1,19}$/, { message: 'must be a position: a string of digits', abort: true })
    .refine((value) => BigInt(value) <= maxPosition, 'is beyond the largest position')
    .optional(),
  limit: z.coerce.number().int().min(1).max(maxEventPageSize).default(100),
});

export const eventEnvelopeSchema = z
  .object({
    eventId: z.string(),
    eventType: z.string(),
    aggregateId: z.string(),
    aggregateType: z.string(),
    occurredAt: z.string(),
    payload: z.record(z.string(), z.unknown()),
    version: z.number().int().openapi({ description: "the event type's schema version the payload has: always the newest (older events are upcast when read)" }),
    storedVersion: z.number().int().openapi({ description: 'the version the event was written with (CONTRACT §7)' }),
    streamRevision: z.number().int(),
    position: z.string().regex(/^\d+$/),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');

const eventPageSchema = z
  .object({ events: z.array(eventEnvelopeSchema), nextPosition: z.string().nullable() })
  .openapi('EventPage');

/**
 * CONTRACT §2: the stream `<Category>-<id>` gives the aggregate; the schema version is 1 unless the
 * metadata says otherwise. §7: `storedVersion` is the version it was written with (the store layer
 * upcast it, and noted that in metadata, which the envelope does not repeat).
 */
export const toEnvelope = (event: RecordedEvent) => {
  const { storedSchemaVersion: _stored, ...metadata } = event.metadata;
  return {
    eventId: event.id,
    eventType: event.type,
    aggregateId: idOf(event.streamName),
    aggregateType: categoryOf(event.streamName),
    occurredAt: event.createdAt.toISOString(),
    payload: event.data,
    version: typeof event.metadata.schemaVersion === 'number' ? event.metadata.schemaVersion : 1,
    storedVersion: storedVersionOf(event.metadata),
    streamRevision: event.revision,
    position: event.position.toString(),
    metadata,
  };
};

/** The audit trail: every event of the store, filtered, in store order (admin only). */
export const eventsRouter = (adminToken: string, query: EventQuery): ModuleRouter => {
  const router = Router();
  const admin = requireAdmin(adminToken);

  router.get('/api/events', admin, async (request: Request, response: Response) => {
    const { after, ...filter } = parseQuery(eventListQuerySchema, request);
    const page = await query.find({ ...filter, after: after === undefined ? undefined : BigInt(after), scanLimit: eventScanLimit });
    response.json({ events: page.events.map(toEnvelope), nextPosition: page.nextPosition?.toString() ?? null });
  });

  router.get('/api/events/:eventId', admin, async (request: Request, response: Response) => {
    const eventId = String(request.params.eventId);
    const event = eventId.length <= 200 ? await query.byId(eventId) : undefined;
    if (event === undefined) throw notFound(`event ${eventId}`);
    response.json(toEnvelope(event));
  });

  const registerOpenApi = (registry: OpenAPIRegistry) => {
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

  return { name: 'events', router, registerOpenApi };
};
