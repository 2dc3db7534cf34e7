import { maxEventPageSize } from '../event-store/event-query.port';
import { z } from '../shared/http-toolkit/zod-openapi';

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

export const eventPageSchema = z
  .object({ events: z.array(eventEnvelopeSchema), nextPosition: z.string().nullable() })
  .openapi('EventPage');
