import { BACKWARDS, END, FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import type { ReadStreamOptions, RecordedEvent } from '../event-store.port';
import type { EsdbClient } from './client';
import { toStoreError } from './error-mapping';
import { toRecordedEvent } from './resolved-event';

/** A stream's events forwards or backwards from a revision; a missing stream reads as none. */
export const readStreamEvents = async (client: Pick<EsdbClient, 'readStream'>, stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
  if (options.maxCount === 0) return [];
  const backwards = options.direction === 'backwards';
  try {
    const events: RecordedEvent[] = [];
    for await (const resolved of client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    })) {
      if (resolved.event !== undefined) events.push(toRecordedEvent(resolved.event));
    }
    return events;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw toStoreError(error);
  }
};
