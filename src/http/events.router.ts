import { type Request, type Response, Router } from 'express';
import { storedVersionOf } from '../event-store/upcasting/event-versions';
import { eventScanLimit, type EventQuery } from '../event-store/event-query.port';
import type { RecordedEvent } from '../event-store/event-store.port';
import { categoryOf, idOf } from '../event-store/stream-name';
import { requireAdmin } from '../shared/http-toolkit/admin-auth';
import type { ModuleRouter } from '../shared/http-toolkit/module-router';
import { notFound } from '../shared/http-toolkit/problem';
import { parseQuery } from '../shared/http-toolkit/validate';
import { eventListQuerySchema } from './events.schemas';
import { registerEventsOpenApi } from './events.openapi';

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

  return { name: 'events', router, registerOpenApi: registerEventsOpenApi };
};
