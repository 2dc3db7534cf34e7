import { BACKWARDS, END, FORWARDS, START, type Position } from '@eventstore/db-client';
import type { PositionedEvent } from '../event-store.port';
import { categoryOf } from '../stream-name';
import type { EsdbClient } from './client';
import { isConnectionError, isInvalidPositionError, toStoreError } from './error-mapping';
import { allReadPosition, fromAll } from './resolved-event';
import { leftCleanly } from './left-cleanly';

/** A page of `$all` after a position: system and bookkeeping events left out. */
export const readAllPage = async (client: Pick<EsdbClient, 'readAll'>, after: bigint | undefined, maxCount: number): Promise<PositionedEvent[]> => {
  if (maxCount <= 0) return [];
  try {
    return await readAllFrom(client, after === undefined ? undefined : allReadPosition(after), after, maxCount);
  } catch (error) {
    // `after` is not where a record starts (say, a position - 1): the server does not read from inside a
    // record. Find the last record at or before it, reading backwards, and read on from there. Any
    // other error (access denied, a dropped connection) is the caller's: no scan of `$all` for it.
    if (after === undefined || !isInvalidPositionError(error)) throw toStoreError(error);
    try {
      return await readAllFrom(client, await recordAtOrBefore(client, after), after, maxCount);
    } catch (retryError) {
      throw toStoreError(retryError);
    }
  }
};

const readAllFrom = async (client: Pick<EsdbClient, 'readAll'>, from: Position | undefined, after: bigint | undefined, maxCount: number): Promise<PositionedEvent[]> => {
  const read = client.readAll({ direction: FORWARDS, fromPosition: from ?? START });
  const events: PositionedEvent[] = [];
  try {
    for await (const resolved of leftCleanly(read)) {
      const step = fromAll(resolved);
      if (step?.positioned === undefined || (after !== undefined && step.checkpoint <= after)) continue;
      events.push(step.positioned);
      if (events.length === maxCount) break;
    }
    return events;
  } finally {
    await read.cancel().catch(() => undefined);
  }
};

const recordAtOrBefore = async (client: Pick<EsdbClient, 'readAll'>, position: bigint): Promise<Position | undefined> => {
  const read = client.readAll({ direction: BACKWARDS, fromPosition: END });
  try {
    for await (const resolved of leftCleanly(read)) {
      const at = resolved.event?.position;
      if (at !== undefined && at.commit <= position) return at;
    }
    return undefined;
  } finally {
    await read.cancel().catch(() => undefined);
  }
};

/** The category of the event at exactly that `$all` position; undefined when no event of ours starts there. */
export const categoryAt = async (client: Pick<EsdbClient, 'readAll'>, position: bigint): Promise<string | undefined> => {
  let read: ReturnType<EsdbClient['readAll']> | undefined;
  try {
    read = client.readAll({ direction: FORWARDS, fromPosition: allReadPosition(position), maxCount: 1 });
    for await (const resolved of leftCleanly(read)) {
      const step = fromAll(resolved);
      return step?.positioned !== undefined && step.checkpoint === position ? categoryOf(step.positioned.event.streamName) : undefined;
    }
    return undefined;
  } catch (error) {
    // Not where a record starts (a made-up position): no category, and the caller waits as for its own.
    if (isConnectionError(error)) throw error;
    return undefined;
  } finally {
    if (read !== undefined) await read.cancel().catch(() => undefined);
  }
};
