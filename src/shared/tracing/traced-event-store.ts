import { context, propagation, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { AppendOptions, EventStore, ExpectedRevision, NewEvent } from '../../event-store/event-store.port';
import { categoryOf } from '../../event-store/stream-name';

/**
 * The store with a span around every append, whose trace context goes into each appended event's
 * metadata (`traceparent`, W3C): whoever handles the event later, in this process or another
 * instance, continues the same trace from it. So one order's saga, caused event by event, is one trace.
 * Everything else is the store's own (a proxy, so optional members and `instanceof` stay as they are).
 */
export const tracedEventStore = <Store extends EventStore>(store: Store, tracer: Tracer): Store => {
  const append = (stream: string, events: readonly NewEvent[], expected?: ExpectedRevision, options?: AppendOptions) =>
    tracer.startActiveSpan(
      `append ${categoryOf(stream)}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'event_store.stream': stream, 'event_store.event_types': events.map((event) => event.type), 'event_store.event_count': events.length },
      },
      async (span) => {
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        const traced = events.map((event) => ({ ...event, metadata: { ...event.metadata, ...carrier } }));
        try {
          const result = await store.append(stream, traced, expected, options);
          span.setAttribute('event_store.position', result.position.toString());
          return result;
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
};
