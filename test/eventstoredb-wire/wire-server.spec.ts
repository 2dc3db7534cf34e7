import {
  EventStoreDBClient,
  eventTypeFilter,
  FORWARDS,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
  RETRY,
  START,
  UnknownError,
  WrongExpectedVersionError,
  type PersistentSubscriptionToStreamResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { EventStoreUnavailable, WrongExpectedVersion } from '../../src/event-store/errors';
import type { NewEvent, PositionedEvent } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { isInvalidPositionError, toStoreError } from '../../src/event-store/eventstoredb/error-mapping';
import { collect, uniqueCategory } from '../../src/event-store/testing/event-store-contract';
import { eventually } from '../../src/shared/testing/eventually';
import { WireServer } from './wire-server';

/**
 * The double against the client: each test fails if the double encodes something otherwise than
 * the client decodes it, or than the server's source says it answers.
 */
const event = (type = 'Happened', data: Record<string, unknown> = {}): NewEvent => ({ id: randomUUID(), type, data, metadata: {} });
const fast = { backoff: { initialMs: 10, maxMs: 50 } };

describe('the wire test double of KurrentDB, through @eventstore/db-client', () => {
  let server: WireServer;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    server = await WireServer.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    server.acceptConnections();
    store = await EventStoreDbEventStore.connect(server.connectionString, fast);
  });
  afterEach(async () => {
    await store.close();
  });

  describe.each([true, false])('wrong expected version (BatchAppend served: %s)', (batchAppend) => {
    it("reaches the client as its WrongExpectedVersionError, and the adapter as the port's, with the actual revision", async () => {
      const own = await WireServer.start({ batchAppend });
      const client = EventStoreDBClient.connectionString(own.connectionString);
      const adapter = await EventStoreDbEventStore.connect(own.connectionString);
      try {
        const stream = `${uniqueCategory()}-1`;
        await client.appendToStream(stream, [jsonEvent({ type: 'A', data: {} }), jsonEvent({ type: 'B', data: {} })]);
        const raw = await client.appendToStream(stream, jsonEvent({ type: 'C', data: {} }), { expectedRevision: 0n }).catch((error: unknown) => error);
        expect(raw).toBeInstanceOf(WrongExpectedVersionError);
        expect(raw).toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
        const missing = await client.appendToStream(`${stream}x`, jsonEvent({ type: 'C', data: {} }), { expectedRevision: 'stream_exists' }).catch((error: unknown) => error);
        expect(missing).toMatchObject({ expectedVersion: 'stream_exists', actualVersion: 'no_stream' });

        const mapped = await adapter.append(stream, [event()], 'no_stream').catch((error: unknown) => error);
        expect(mapped).toBeInstanceOf(WrongExpectedVersion);
        expect((mapped as WrongExpectedVersion).actual).toBe(1);
      } finally {
        await adapter.close();
        await client.dispose();
        await own.stop();
      }
    });
  });

  describe('idempotency, as IndexWriter.CheckCommit decides it', () => {
    it('recognises a retry expecting no_stream or an earlier revision from the index, even after a restart', async () => {
      const stream = `${uniqueCategory()}-1`;
      const first = [event(), event()];
      const written = await store.append(stream, first, 'no_stream');
      await store.append(stream, [event()], 1);
      server.restart();
      await eventually(() => store.ping(), 10_000);
      expect(await store.append(stream, first, 'no_stream')).toEqual(written);
      expect(await store.readStream(stream)).toHaveLength(3);
    });

    it('recognises a retry with any only while its ids are in the recent-ids cache: after a restart it is written again', async () => {
      const stream = `${uniqueCategory()}-1`;
      const retried = [event()];
      const written = await store.append(stream, retried, 'any');
      expect(await store.append(stream, retried, 'any')).toEqual(written);
      expect(await store.readStream(stream)).toHaveLength(1);
      server.restart();
      await eventually(() => store.ping(), 10_000);
      const again = await store.append(stream, retried, 'any');
      expect(again.nextExpectedRevision).toBe(1);
      expect((await store.readStream(stream)).map((stored) => stored.id)).toEqual([retried[0]!.id, retried[0]!.id]);
    });

    it('does not check ids at all for an exact revision equal to the end of the stream: the same event is written twice', async () => {
      const stream = `${uniqueCategory()}-1`;
      const once = event();
      await store.append(stream, [once], 'no_stream');
      const twice = await store.append(stream, [once], 0);
      expect(twice.nextExpectedRevision).toBe(1);
      expect((await store.readStream(stream)).map((stored) => stored.id)).toEqual([once.id, once.id]);
    });
  });

  it('refuses a read of $all from inside a record as the server does, which the adapter recognises', async () => {
    const { position } = await store.append(`${uniqueCategory()}-1`, [event()], 'no_stream');
    const client = EventStoreDBClient.connectionString(server.connectionString);
    try {
      const error = await (async () => {
        for await (const _ of client.readAll({ direction: FORWARDS, fromPosition: { commit: position + 1n, prepare: position + 1n } })) break;
      })().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnknownError);
      expect(isInvalidPositionError(error)).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('sends a filtered $all subscription checkpoints (on going live, then every multiplier × 32 events considered) that reach the client', async () => {
    const client = EventStoreDBClient.connectionString(server.connectionString);
    const reached: bigint[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: eventTypeFilter({ prefixes: ['NothingIsOfThisType'], checkpointInterval: 1, checkpointReached: (_, position) => void reached.push(position.commit) }),
    });
    try {
      subscription.resume();
      await eventually(() => expect(reached.length).toBeGreaterThan(0));
      const category = uniqueCategory();
      const before = reached.length;
      for (let n = 0; n < 40; n++) await store.append(`${category}-1`, [event()], 'any');
      await eventually(() => expect(reached.length).toBeGreaterThan(before));
      expect([...reached].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(reached);
    } finally {
      await subscription.unsubscribe();
      await client.dispose();
    }
  });

  // Adapter defect found with the double, now fixed (left-cleanly.ts): a `for await` over the client's read left by
  // `return`/`break` left the gRPC stream unpiped and paused, kept among the client's streams until dispose().
  it('leaves no client stream behind per read left early (headCheckpoint of a category, polled by admission control)', async () => {
    const category = uniqueCategory();
    await store.append(`${category}-1`, [event()], 'no_stream');
    await eventually(async () => expect(await store.headCheckpoint({ kind: 'category', category })).toBe(1n));
    const kept = () => (store as unknown as { client: { disposableStreams: Set<unknown> } }).client.disposableStreams.size;
    const before = kept();
    for (let n = 0; n < 50; n++) await store.headCheckpoint({ kind: 'category', category });
    expect(kept() - before).toBeLessThan(5);
  });

  it('an append while the server is unreachable fails as EventStoreUnavailable; once it is back the same store appends again', async () => {
    const stream = `${uniqueCategory()}-1`;
    await store.append(stream, [event()], 'no_stream');
    server.refuseConnections();
    await expect(store.append(stream, [event()], 0)).rejects.toBeInstanceOf(EventStoreUnavailable);
    server.acceptConnections();
    await eventually(async () => expect((await store.append(stream, [event()], 'any')).nextExpectedRevision).toBeGreaterThan(0), 10_000);
  });

  it('a catch-up subscription survives dropped connections: every event once, in order', async () => {
    const category = uniqueCategory();
    const subscription = store.subscribe({ to: { kind: 'category', category } });
    const writer = (async () => {
      for (let n = 0; n < 60; n++) {
        await eventually(() => store.append(`${category}-${n % 3}`, [event('Numbered', { n })], 'any'), 10_000);
        if (n % 20 === 10) server.dropConnections();
      }
    })();
    const [received] = await Promise.all([collect(subscription, 60, 20_000), writer]);
    await subscription.close();
    const numbers = received.map((positioned: PositionedEvent) => (positioned.event.data as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 60 }, (_, n) => n));
  });

  it('holds back a subscription whose reader does not read (backpressure), and sends the rest once it reads', async () => {
    const category = uniqueCategory();
    const blob = 'x'.repeat(64 * 1024);
    for (let n = 0; n < 100; n++) await store.append(`${category}-1`, [event('Big', { n, blob })], 'any');
    const sentBefore = server.stats.eventsSent;
    const subscription = store.subscribe({ to: { kind: 'category', category } });
    const iterator = subscription[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.stats.eventsSent - sentBefore).toBeLessThan(100);
    let read = 1;
    while (read < 100 && !(await iterator.next()).done) read++;
    expect(read).toBe(100);
    await subscription.close();
  });

  describe('persistent subscriptions (PersistentSubscription.cs)', () => {
    const settings = (maxRetryCount: number) =>
      persistentSubscriptionToStreamSettingsFromDefaults({ resolveLinkTos: true, startFrom: START, maxRetryCount, checkPointLowerBound: 1 });

    it("counts a retry for a message a dropped member held, parks it after maxRetryCount with the server's reason, and sends the link's position for both link and event", async () => {
      const category = uniqueCategory();
      const { position } = await store.append(`${category}-7`, [event('Parkable')], 'no_stream');
      const client = EventStoreDBClient.connectionString(server.connectionString);
      try {
        await eventually(async () => expect(await store.readCategory(category)).toHaveLength(1));
        await client.createPersistentSubscriptionToStream(`$ce-${category}`, 'g', settings(2));
        const first = client.subscribeToPersistentSubscriptionToStream(`$ce-${category}`, 'g');
        const delivered = await next(first)();
        expect(delivered!.retryCount).toBe(0);
        // The server sends the $ce- link's position for the event too (ConvertToReadEvent uses OriginalPosition).
        expect(delivered!.event!.position!.commit).toBe(delivered!.link!.position!.commit);
        expect(delivered!.event!.position!.commit).not.toBe(position);
        server.dropConnections();
        // The client does not rejoin by itself: join again, as the adapter's consumer does.
        const second = await eventually(async () => {
          const joined = client.subscribeToPersistentSubscriptionToStream(`$ce-${category}`, 'g');
          await new Promise((resolve, reject) => joined.once('confirmation', resolve).once('error', reject));
          return joined;
        }, 10_000);
        const take = next(second);
        const again = await take();
        expect(again!.retryCount).toBe(1);
        await second.nack(RETRY, 'try again', again!);
        const third = await take();
        expect(third!.retryCount).toBe(2);
        await second.nack(RETRY, 'and again', third!);
        await eventually(async () => {
          const parked = await readAllOf(client, `$persistentsubscription-$ce-${category}::g-parked`);
          expect(parked).toHaveLength(1);
          expect(parked[0]!.link!.metadata).toMatchObject({ reason: 'Reached retry count of 2' });
          expect(parked[0]!.event!.streamId).toBe(`${category}-7`);
        });
        const info = await client.getPersistentSubscriptionToStreamInfo(`$ce-${category}`, 'g');
        expect(info.stats.parkedMessageCount).toBe(1n);
        await second.unsubscribe();
      } finally {
        await client.dispose();
      }
    });

    it('answers Create of an existing group and Update of a missing one with the errors the client maps', async () => {
      const stream = `$ce-${uniqueCategory()}`;
      const client = EventStoreDBClient.connectionString(server.connectionString);
      try {
        await client.createPersistentSubscriptionToStream(stream, 'g', settings(10));
        await expect(client.createPersistentSubscriptionToStream(stream, 'g', settings(10))).rejects.toMatchObject({ type: 'persistent-subscription-exists' });
        await expect(client.updatePersistentSubscriptionToStream(stream, 'other', settings(10))).rejects.toMatchObject({
          type: 'persistent-subscription-does-not-exist',
        });
        await client.updatePersistentSubscriptionToStream(stream, 'g', settings(3));
        expect((await client.getPersistentSubscriptionToStreamInfo(stream, 'g')).settings.maxRetryCount).toBe(3);
        expect(toStoreError(await client.getPersistentSubscriptionToStreamInfo(stream, 'none').catch((error: unknown) => error))).toMatchObject({
          type: 'persistent-subscription-does-not-exist',
        });
      } finally {
        await client.dispose();
      }
    });
  });
});

/** Takes a subscription's messages one by one, without ending it as a `for await` left early would. */
const next = (subscription: AsyncIterable<PersistentSubscriptionToStreamResolvedEvent>) => {
  const iterator = subscription[Symbol.asyncIterator]();
  return async (): Promise<PersistentSubscriptionToStreamResolvedEvent | undefined> => (await iterator.next()).value;
};

const readAllOf = async (client: EventStoreDBClient, stream: string) => {
  const events = [];
  for await (const resolved of client.readStream(stream, { resolveLinkTos: true })) events.push(resolved);
  return events;
};
