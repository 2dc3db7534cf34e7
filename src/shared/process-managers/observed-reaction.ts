import type { Logger } from 'pino';
import type { HandleContext } from '../../event-store/consumer-groups.port';
import type { RecordedEvent } from '../../event-store/event-store.port';
import type { Reaction } from './reaction';

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
 * The reaction with one `info` line per handled event (a saga step): which reaction, which event,
 * the order and its correlation and causation ids, and how long it took. A failure is logged where it
 * is retried or dead-lettered (the runner, or the consumer group); here it only passes through.
 */
export const observeReaction = (reaction: Reaction, logger: Logger): Reaction => {
  const handle = async (event: RecordedEvent, context?: HandleContext): Promise<void> => {
    const started = performance.now();
    await reaction.handle(event, context);
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
