import { z } from '../shared/http-toolkit/zod-openapi';

export const subscriptionSchema = z
  .object({ name: z.string(), checkpoint: z.string(), lag: z.number().int(), retries: z.number().int(), deadLetters: z.number().int() })
  .openapi('Subscription');

export const admissionSchema = z
  .object({
    refusing: z.boolean().openapi({ description: 'POST /api/orders answers 503 now' }),
    maxLag: z.number().int().openapi({ description: 'the largest lag of any process manager, as last read (every 200 ms)' }),
    limit: z.number().int().openapi({ description: 'MAX_SAGA_LAG: orders are refused while maxLag is above it' }),
    refusedTotal: z.number().int().openapi({ description: 'orders refused since the process started' }),
  })
  .openapi('Admission');

export const deadLetterSchema = z
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

export const deadLetterQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ description: 'letters per page (at most 500)' }),
  after: z.string().regex(/^[\w:.-]{1,200}$/).optional().openapi({ description: "the previous page's `next`" }),
});

export const projectionSchema = z
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
