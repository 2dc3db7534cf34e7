import { FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import type { PositionedEvent } from '../event-store.port';
import type { EsdbClient } from './client';
import { toStoreError } from './error-mapping';
import type { ProjectionBarrier } from './projection-barrier';
import { fromLinkStream } from './resolved-event';

/** A page of a `$ce-`/`$et-` link stream, its links resolved, once the projection has linked this process's appends. */
export const readLinks = async (
  client: Pick<EsdbClient, 'readStream'>,
  barrier: Pick<ProjectionBarrier, 'settle'>,
  linkStream: string,
  after: bigint | undefined,
  maxCount: number,
): Promise<PositionedEvent[]> => {
  if (maxCount <= 0) return [];
  const events: PositionedEvent[] = [];
  try {
    await barrier.settle(linkStream);
    // `after` is a link revision + 1, i.e. the revision of the next link: read from it, inclusive.
    for await (const resolved of client.readStream(linkStream, {
      direction: FORWARDS,
      fromRevision: after === undefined ? START : after,
      maxCount,
      resolveLinkTos: true,
    })) {
      const step = fromLinkStream(resolved);
      if (step?.positioned !== undefined) events.push(step.positioned);
    }
    return events;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw toStoreError(error);
  }
};
