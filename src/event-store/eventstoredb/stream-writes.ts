import { jsonEvent, type JSONType } from '@eventstore/db-client';
import { WrongExpectedVersion } from '../errors';
import type { AppendResult, ExpectedRevision, NewEvent } from '../event-store.port';
import type { EsdbClient } from './client';
import { toStoreError } from './error-mapping';
import type { ProjectionBarrier } from './projection-barrier';
import { toClientExpectedRevision } from './revision-mapping';
import { readStreamEvents } from './stream-reads';

const toEventData = (event: NewEvent) =>
  jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata ?? {} });

/** One append; the barrier hears of it, so that this process's reads of `$ce-`/`$et-` wait until the projection has linked it. */
export const appendToStream = async (
  client: Pick<EsdbClient, 'appendToStream' | 'readStream'>,
  barrier: Pick<ProjectionBarrier, 'appended'>,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> => {
  if (events.length === 0) return emptyAppend(client, stream, expected);
  try {
    const result = await client.appendToStream(stream, events.map(toEventData), {
      expectedRevision: toClientExpectedRevision(expected),
    });
    // An idempotent retry may come back without a position (the server wrote nothing): take the stored event's.
    const position = result.position?.commit ?? (await positionOf(client, stream, result.nextExpectedRevision));
    barrier.appended(
      stream,
      events.map((event) => event.type),
      position,
    );
    return { nextExpectedRevision: Number(result.nextExpectedRevision), position };
  } catch (error) {
    throw toStoreError(error, { stream, expected });
  }
};

/** No events: only the expected revision is checked, against the stream's head. */
const emptyAppend = async (client: Pick<EsdbClient, 'readStream'>, stream: string, expected: ExpectedRevision): Promise<AppendResult> => {
  const [head] = await readStreamEvents(client, stream, { direction: 'backwards', maxCount: 1 });
  const actual = head === undefined ? 'no_stream' : head.revision;
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    expected === actual;
  if (!satisfied) throw new WrongExpectedVersion(stream, expected, actual);
  return { nextExpectedRevision: head?.revision ?? -1, position: head?.position ?? 0n };
};

const positionOf = async (client: Pick<EsdbClient, 'readStream'>, stream: string, revision: bigint): Promise<bigint> => {
  const [event] = await readStreamEvents(client, stream, { fromRevision: Number(revision), maxCount: 1 });
  if (event === undefined) throw new Error(`EventStoreDB acknowledged ${stream}@${revision} but it cannot be read`);
  return event.position;
};
