import { join } from 'node:path';
import { v7 as uuid } from 'uuid';
import type { NewEvent } from '../../src/event-store/event-store.port';
import { PersonalDataGuard } from '../../src/event-store/personal-data/personal-data-guard';
import { codedEventStore } from '../../src/event-store/coded-event-store';
import { EventVersions } from '../../src/event-store/upcasting/event-versions';
import { SqlitePersonalDataKeys } from '../../src/event-store/personal-data/sqlite-personal-data-keys';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { APPEND_STREAMS, CORRELATION_ID, EVENT_TYPE, type LineAdded, SEED, lineAdded, streamName } from './common';

/** Our embedded store: `SqliteEventStore`, group commit, an expected-revision check on every append. */
export const openOurs = (dir: string, name: string, synchronous: 'NORMAL' | 'FULL'): SqliteEventStore =>
  SqliteEventStore.open({ filename: join(dir, `${name}.db`), synchronous });

/** The type the sealed rows seal: one event in `SEALED_ONE_IN` carries personal data, as `OrderPlaced` is one of an order's 8 or so. */
export const SEALED_TYPE = 'OrderPlacedLike';
const SEALED_ONE_IN = 8;

const newEvents = (stream: number, from: number, size: number, sealedMix = false): NewEvent[] => {
  const events: NewEvent[] = new Array(size);
  for (let k = 0; k < size; k++) {
    const type = sealedMix && (from + k) % SEALED_ONE_IN === 0 ? SEALED_TYPE : EVENT_TYPE;
    events[k] = { id: uuid(), type, data: lineAdded(stream, from + k), metadata: { correlationId: CORRELATION_ID } };
  }
  return events;
};

/**
 * Ours with CONTRACT §7's sealing in front, as the service composes it: the `note` and `warehouse`
 * of the sealed type's events sealed (AES-256-GCM) under the key of their `currency`, one subject,
 * so the rows measure sealing, not making keys (one fsync of the key file per new customer, once).
 */
export const openSealed = (dir: string, name: string): SqliteEventStore =>
  codedEventStore(
    openOurs(dir, name, 'NORMAL'),
    new PersonalDataGuard(new SqlitePersonalDataKeys(join(dir, `${name}-keys.sqlite`)), [{ eventType: SEALED_TYPE, subjectField: 'currency', fields: ['note', 'warehouse'] }]),
    {},
  );

/** Ours read through CONTRACT §7's upcasting: the seeded events are v1 of a type whose v2 adds `instructions` (copied from `note`). */
export const openUpcasting = (store: SqliteEventStore): SqliteEventStore =>
  codedEventStore(store, new EventVersions([{ eventType: EVENT_TYPE, from: 1, upcast: (data) => Object.assign({}, data, { instructions: data.note }) }]), {});

export const sealedNote = 'as ours; one event in 8 (as OrderPlaced in an order) has two fields sealed with a customer key';

/** Appends to stream `i` with its exact expected revision ('no_stream' first); with `sealedMix`, one event in 8 of the sealed type. */
export const oursAppender = (store: SqliteEventStore, streams = APPEND_STREAMS, sealedMix = false) => {
  const revisions = new Array<number>(streams).fill(-1);
  return async (stream: number, size: number): Promise<void> => {
    const revision = revisions[stream]!;
    const result = await store.append(streamName(stream), newEvents(stream, revision + 1, size, sealedMix), revision === -1 ? 'no_stream' : revision);
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
