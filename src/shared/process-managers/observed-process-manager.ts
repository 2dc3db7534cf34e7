import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { HandleContext } from '../../event-store/consumer-groups.port';
import type { RecordedEvent } from '../../event-store/event-store.port';
import type { ProcessManager } from '../../event-store/consumer-groups.port';

/** What a saga step's log line says of the event it handled: ids only, never the event's data. */
export const stepFields = (reaction: string, event: RecordedEvent) => {
  const orderId = (event.data as { orderId?: unknown } | null)?.orderId;
  return {
    reaction,
    eventType: event.type,
    eventId: event.id,
    orderId: typeof orderId === 'string' ? orderId : undefined,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
  };
};

/**
 * The handler in a span continuing the trace of the append that wrote the event (its `traceparent`
 * metadata): what the handler appends is then a child of it, and the saga stays one trace.
 */
const traced =
  (reaction: ProcessManager, tracer: Tracer) =>
  (event: RecordedEvent, context?: HandleContext): Promise<void> =>
    tracer.startActiveSpan(
      `react ${reaction.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'saga.reaction': reaction.name, 'event.type': event.type, 'event.id': event.id, 'event.correlation_id': String(event.metadata.correlationId ?? '') },
      },
      propagation.extract(ROOT_CONTEXT, event.metadata),
      async (span) => {
        try {
          await reaction.handle(event, context);
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );

/**
 * The reaction with one `info` line per handled event (a saga step): which reaction, which event,
 * the order and its correlation and causation ids, and how long it took; and, with a tracer, a span
 * (above). A failure is logged where it is retried or dead-lettered (the runner, or the consumer
 * group); here it only passes through.
 */
export const observeProcessManager = (reaction: ProcessManager, logger: Logger, tracer?: Tracer): ProcessManager => {
  const run = tracer === undefined ? (event: RecordedEvent, context?: HandleContext) => reaction.handle(event, context) : traced(reaction, tracer);
  const handle = async (event: RecordedEvent, context?: HandleContext): Promise<void> => {
    const started = performance.now();
    await run(event, context);
    if (logger.isLevelEnabled('info')) {
      logger.info({ ...stepFields(reaction.name, event), durationMs: Math.round((performance.now() - started) * 100) / 100 }, 'saga step');
    }
  };
  return {
    name: reaction.name,
    category: reaction.category,
    eventTypes: reaction.eventTypes,
    ...(reaction.maxInFlight === undefined ? {} : { maxInFlight: reaction.maxInFlight }),
    ...(reaction.maxHoldMs === undefined ? {} : { maxHoldMs: reaction.maxHoldMs }),
    handle,
  };
};
