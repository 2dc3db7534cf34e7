import { join } from 'node:path';
import { v7 as uuid } from 'uuid';
import type { NewEvent } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { APPEND_STREAMS, CORRELATION_ID, EVENT_TYPE, type LineAdded, SEED, lineAdded, streamName } from './common';

/** Our embedded store: `SqliteEventStore`, group commit, an expected-revision check on every append. */
export const openOurs = (dir: string, name: string, synchronous: 'NORMAL' | 'FULL'): SqliteEventStore =>
  SqliteEventStore.open({ filename: join(dir, `${name}.db`), synchronous });

const newEvents = (stream: number, from: number, size: number): NewEvent[] => {
  const events: NewEvent[] = new Array(size);
  for (let k = 0; k < size; k++) {
    events[k] = { id: uuid(), type: EVENT_TYPE, data: lineAdded(stream, from + k), metadata: { correlationId: CORRELATION_ID } };
  }
  return events;
};

/** Appends to stream `i` with its exact expected revision ('no_stream' first). */
export const oursAppender = (store: SqliteEventStore, streams = APPEND_STREAMS) => {
  const revisions = new Array<number>(streams).fill(-1);
  return async (stream: number, size: number): Promise<void> => {
    const revision = revisions[stream]!;
    const result = await store.append(streamName(stream), newEvents(stream, revision + 1, size), revision === -1 ? 'no_stream' : revision);
    revisions[stream] = result.nextExpectedRevision;
  };
};

/**
 * `clients` concurrent clients, each appending 1 event at a time to a stream of its own (`append`
 * is an `oursAppender` over at least `clients` streams); events/s.
 */
export const oursConcurrentAppend1 = async (
  append: (stream: number, size: number) => Promise<void>,
  clients: number,
  maxMs: number,
): Promise<number> => {
  let events = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        await append(client, 1);
        events++;
      }
    }),
  );
  return (events / (performance.now() - start)) * 1000;
};

/** 10 events in each of SEED.streams streams, one append of 10 per stream, `inFlight` appends at a time. */
export const seedOurs = async (store: SqliteEventStore, inFlight = 2000): Promise<void> => {
  for (let first = 0; first < SEED.streams; first += inFlight) {
    const appends: Promise<unknown>[] = [];
    for (let s = first; s < Math.min(first + inFlight, SEED.streams); s++) {
      appends.push(store.append(streamName(s), newEvents(s, 0, SEED.perStream), 'no_stream'));
    }
    await Promise.all(appends);
  }
};

/** Reads a stream and folds it; returns the fold. */
export const oursRead = async (store: SqliteEventStore, stream: number): Promise<{ count: number; sum: number }> => {
  const events = await store.readStream(streamName(stream));
  let sum = 0;
  for (const event of events) sum += (event.data as LineAdded).quantity;
  return { count: events.length, sum };
};

/** Every event in store order through readAll pages; returns how many and the fold. */
export const oursReplay = async (store: SqliteEventStore, pageSize: number): Promise<{ count: number; sum: number }> => {
  let after: bigint | undefined;
  let count = 0;
  let sum = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    for (const { event } of page) sum += (event.data as LineAdded).quantity;
    count += page.length;
    if (page.length < pageSize) return { count, sum };
    after = page[page.length - 1]!.checkpoint;
  }
};
