import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { HandleContext } from '../../event-store/consumer-groups.port';
import type { RecordedEvent } from '../../event-store/event-store.port';
import type { ProcessManager } from '../../event-store/consumer-groups.port';

/** What a saga step's log line says of the event it handled: ids only, never the event's data. */
export const stepFields = (processManager: string, event: RecordedEvent) => {
  const orderId = (event.data as { orderId?: unknown } | null)?.orderId;
  return {
    processManager,
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
  (processManager: ProcessManager, tracer: Tracer) =>
  (event: RecordedEvent, context?: HandleContext): Promise<void> =>
    tracer.startActiveSpan(
      `react ${processManager.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'saga.process_manager': processManager.name, 'event.type': event.type, 'event.id': event.id, 'event.correlation_id': String(event.metadata.correlationId ?? '') },
      },
      propagation.extract(ROOT_CONTEXT, event.metadata),
      async (span) => {
        try {
          await processManager.handle(event, context);
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
 * The process manager with one `info` line per handled event (a saga step): which process manager, which event,
 * the order and its correlation and causation ids, and how long it took; and, with a tracer, a span
 * (above). A failure is logged where it is retried or dead-lettered (the runner, or the consumer
 * group); here it only passes through.
 */
export const observeProcessManager = (processManager: ProcessManager, logger: Logger, tracer?: Tracer): ProcessManager => {
  const run = tracer === undefined ? (event: RecordedEvent, context?: HandleContext) => processManager.handle(event, context) : traced(processManager, tracer);
  const handle = async (event: RecordedEvent, context?: HandleContext): Promise<void> => {
    const started = performance.now();
    await run(event, context);
    if (logger.isLevelEnabled('info')) {
      logger.info({ ...stepFields(processManager.name, event), durationMs: Math.round((performance.now() - started) * 100) / 100 }, 'saga step');
    }
  };
  return {
    name: processManager.name,
    category: processManager.category,
    eventTypes: processManager.eventTypes,
    ...(processManager.maxInFlight === undefined ? {} : { maxInFlight: processManager.maxInFlight }),
    ...(processManager.maxHoldMs === undefined ? {} : { maxHoldMs: processManager.maxHoldMs }),
    handle,
  };
};
