import { BACKWARDS, END } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.port';
import { silentLogger, type EsdbClient, type StoreLogger } from './client';
import { isBookkeepingEvent, isSystemEvent, toRecordedEvent } from './resolved-event';
import { leftCleanly } from './left-cleanly';

export interface EventLocation {
  readonly stream: string;
  readonly revision: number;
}

/**
 * Where an event with a given id is stored. EventStoreDB has no lookup by event id, so on this store
 * `readEvent` (`GET /api/events/:id`, dead-letter replay) is served by an index of the projection
 * kind: a read model (`event id → stream, revision`) that a catch-up subscription to `$all` keeps,
 * rebuilt by replay like any other. Issue 5's query side owns that read model; it is injected here
 * through this interface (`EventStoreDbEventStore.connect(…, { eventIdIndex })`).
 */
export interface EventIdIndex {
  locate(eventId: string): Promise<EventLocation | undefined>;
}

/** The ms timestamp of a uuid v7 (its first 48 bits); undefined for any other version. */
export const uuidV7Time = (id: string): number | undefined => {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return undefined;
  return Number.parseInt(hex.slice(0, 12), 16);
};

export interface ScanOptions {
  /** Allowed difference between the clock that made a v7 id and the server's `created`. */
  readonly clockSkewMs?: number;
  /** A scan reading more events than this logs a warning (it still finishes). */
  readonly warnAfter?: number;
  /** With an index in front: only events this recent can be missing from it (its lag). */
  readonly notOlderThan?: Date;
}

/**
 * The fallback for ids an index does not know (yet): reads `$all` backwards from its end until the
 * id turns up. A uuid v7 carries its creation time, and an event is stored after its id was made,
 * so the scan stops at events created before that time (less a clock-skew margin): a recent id
 * costs a short read, a missing recent id too. Ids of other versions, and old v7 ids, cost a
 * scan back to their time or the start: correct but slow, hence the warning; run the index.
 */
export const scanForEvent = async (
  client: Pick<EsdbClient, 'readAll'>,
  eventId: string,
  options: ScanOptions = {},
  logger: StoreLogger = silentLogger,
): Promise<RecordedEvent | undefined> => {
  const idTime = uuidV7Time(eventId);
  const bounds = [
    idTime === undefined ? undefined : idTime - (options.clockSkewMs ?? 60_000),
    options.notOlderThan?.getTime(),
  ].filter((bound): bound is number => bound !== undefined);
  const oldest = bounds.length === 0 ? undefined : Math.max(...bounds);
  const warnAfter = options.warnAfter ?? 10_000;
  const read = client.readAll({ direction: BACKWARDS, fromPosition: END });
  let scanned = 0;
  try {
    for await (const resolved of leftCleanly(read)) {
      const event = resolved.event;
      if (event === undefined) continue;
      scanned++;
      if (scanned === warnAfter) {
        logger.warn({ eventId, scanned }, 'readEvent is scanning $all on EventStoreDB; inject an EventIdIndex read model');
      }
      if (event.id === eventId && !isSystemEvent(event) && !isBookkeepingEvent(event)) return toRecordedEvent(event);
      if (oldest !== undefined && event.created.getTime() < oldest) return undefined;
    }
    return undefined;
  } finally {
    await read.cancel().catch(() => undefined);
  }
};
