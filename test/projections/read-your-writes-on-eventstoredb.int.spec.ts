import { BACKWARDS, END, START, StreamNotFoundError, type EventData, type JSONRecordedEvent, type ResolvedEvent } from '@eventstore/db-client';
import type Database from 'better-sqlite3';
import type { EsdbClient } from '../../src/event-store/eventstoredb/client';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { FakeReadable, recorded, resolvedLink } from '../../src/event-store/eventstoredb/testing/client-fakes';
import { openDatabase } from '../../src/event-store/sqlite/open-database';
import { newEventId } from '../../src/shared/application/event-ids';
import { ProjectionRunner } from '../../src/shared/read-models/projection-runner';
import { logger, TotalsProjection } from './counter-projections';

/**
 * EventStoreDB as the client sees it, faked: appends get `$all` positions in the thousands, and the
 * `$by_category` projection links each event into `$ce-<Category>` a moment later, with link
 * revisions 0, 1, 2… (the checkpoints of a category subscriber are those + 1).
 */
const fakeServer = (linkDelayMs: number | 'never') => {
  const streams = new Map<string, JSONRecordedEvent[]>();
  const links = new Map<string, ResolvedEvent[]>();
  const live = new Map<string, Array<FakeReadable<ResolvedEvent>>>();
  let position = 1000;
  const project = (event: JSONRecordedEvent) => {
    const linkStream = `$ce-${event.streamId.slice(0, event.streamId.indexOf('-'))}`;
    const entries = links.get(linkStream) ?? [];
    const entry = resolvedLink(linkStream, entries.length, event);
    entries.push(entry);
    links.set(linkStream, entries);
    for (const subscription of live.get(linkStream) ?? []) subscription.add(entry);
  };
  const client = {
    appendToStream: async (stream: string, events: EventData[]) => {
      const stored = streams.get(stream) ?? [];
      for (const event of events) {
        position += 100;
        const record = recorded({ streamId: stream, revision: stored.length, position, id: event.id, type: event.type, data: event.data, metadata: event.metadata });
        stored.push(record);
        if (linkDelayMs !== 'never') setTimeout(() => project(record), linkDelayMs);
      }
      streams.set(stream, stored);
      return { success: true, nextExpectedRevision: BigInt(stored.length - 1), position: { commit: BigInt(position), prepare: BigInt(position) } };
    },
    readStream: (stream: string, options: { direction?: unknown; fromRevision?: unknown; maxCount?: number } = {}) => {
      const entries = stream.startsWith('$ce-') ? links.get(stream) : streams.get(stream)?.map((event): ResolvedEvent => ({ event }));
      if (entries === undefined) return new FakeReadable<ResolvedEvent>([], new StreamNotFoundError(undefined, stream));
      const backwards = options.direction === BACKWARDS;
      const from = options.fromRevision === undefined || options.fromRevision === START || options.fromRevision === END ? undefined : Number(options.fromRevision);
      const ordered = backwards ? [...entries].reverse() : entries;
      const selected = from === undefined ? ordered : ordered.filter((_, index) => (backwards ? entries.length - 1 - index <= from : index >= from));
      return new FakeReadable(selected.slice(0, options.maxCount ?? selected.length), 'end');
    },
    subscribeToStream: (stream: string, options: { fromRevision?: unknown } = {}) => {
      // The client's start revision is exclusive.
      const from = options.fromRevision === START || options.fromRevision === undefined ? 0 : Number(options.fromRevision) + 1;
      const subscription = new FakeReadable((links.get(stream) ?? []).slice(from));
      live.set(stream, [...(live.get(stream) ?? []), subscription]);
      return subscription;
    },
    dispose: async () => undefined,
  };
  return client as unknown as EsdbClient;
};

const increment = (by: number) => [{ id: newEventId(), type: 'Incremented', data: { by } }];
const total = (db: Database.Database) => (db.prepare("SELECT total FROM totals WHERE stream = 'Counter-1'").get() as { total: number } | undefined)?.total;

describe('read-your-writes on EventStoreDB: waiting for a read model to apply an append', () => {
  it('sees the append applied, although the read model counts in link revisions and the append answers a $all position', async () => {
    const store = new EventStoreDbEventStore(fakeServer(15), { projectionBarrier: { pollMs: 1 } });
    const readModels = openDatabase({ filename: ':memory:' });
    const runner = new ProjectionRunner(store, readModels, [new TotalsProjection()], logger);
    runner.start();
    await store.append('Counter-1', increment(1), 'any');
    await store.append('Counter-1', increment(10), 'any');
    const last = await store.append('Counter-1', increment(100), 'any');
    expect(last.position).toBe(1300n);

    const started = Date.now();
    expect(await runner.waitFor('totals', last.position)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(total(readModels)).toBe(111);
    expect(await runner.status()).toEqual([{ name: 'totals', version: 1, position: '3', lag: 0, status: 'live' }]);

    await runner.stop();
    await store.close();
    readModels.close();
  });

  it('answers false after its timeout when the link never comes', async () => {
    const store = new EventStoreDbEventStore(fakeServer('never'), { projectionBarrier: { pollMs: 1, timeoutMs: 0 } });
    const readModels = openDatabase({ filename: ':memory:' });
    const runner = new ProjectionRunner(store, readModels, [new TotalsProjection()], logger);
    runner.start();
    const appended = await store.append('Counter-1', increment(1), 'any');
    expect(await runner.waitFor('totals', appended.position, 50)).toBe(false);
    await runner.stop();
    await store.close();
    readModels.close();
  });
});
