import { v7 as uuid } from 'uuid';
import { DuplicateEventId, WrongExpectedVersion } from '../errors';
import type { EventStore, NewEvent, PositionedEvent, RecordedEvent, Subscription } from '../event-store.port';
import { crashTestScenario } from './crash-test-scenario';

export interface ContractSubject {
  /** A store to test; several tests may share the storage, so every test names its own streams. */
  open(): Promise<EventStore>;
  /**
   * Whether an event id is unique across the whole store (the embedded store), or only within its
   * stream (EventStoreDB, which checks ids per stream and would store the same id elsewhere).
   */
  readonly uniqueEventIdsAcrossStreams?: boolean;
  /** What only a store that outlives its process can show: reopen and crash recovery. */
  readonly durable?: {
    /** Closes the store and opens the same storage again. */
    reopen(store: EventStore): Promise<EventStore>;
    /** The environment that makes `createEventStore` in a child process open this same storage. */
    childEnvironment(): Record<string, string>;
  };
}

/** A category name no other test uses: letters only, since the category ends at the first `-`. */
export const uniqueCategory = (prefix = 'Test'): string =>
  `${prefix}${uuid().replace(/[^a-f0-9]/g, '').slice(-12).replace(/\d/g, (digit) => 'ghijklmnop'[Number(digit)]!)}`;

export const newEvent = (type = 'Happened', data: unknown = { n: 0 }, metadata = {}): NewEvent => ({
  id: uuid(),
  type,
  data,
  metadata,
});

export const collect = async (subscription: Subscription, count: number, timeoutMs = 15000): Promise<PositionedEvent[]> => {
  const received: PositionedEvent[] = [];
  if (count === 0) return received;
  const deadline = setTimeout(() => void subscription.close(), timeoutMs);
  for await (const positioned of subscription) {
    received.push(positioned);
    if (received.length === count) break;
  }
  clearTimeout(deadline);
  return received;
};

const expectWrongExpectedVersion = async (attempt: Promise<unknown>, actual: number | 'no_stream') => {
  const error = await attempt.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersion);
  expect((error as WrongExpectedVersion).actual).toEqual(actual);
};

const ids = (events: readonly (RecordedEvent | PositionedEvent)[]) =>
  events.map((item) => ('event' in item ? item.event.id : item.id));

export const describeEventStoreContract = (adapterName: string, subject: ContractSubject): void => {
  describe(`event store contract: ${adapterName}`, () => {
    let store: EventStore;

    beforeEach(async () => {
      store = await subject.open();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('appending with an expected revision', () => {
      it('starts a new stream at revision 0 and answers the next expected revision', async () => {
        const stream = `${uniqueCategory()}-1`;
        const first = await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        expect(first.nextExpectedRevision).toBe(1);
        const second = await store.append(stream, [newEvent()], 1);
        expect(second.nextExpectedRevision).toBe(2);
        expect(second.position).toBeGreaterThan(first.position);
        const read = await store.readStream(stream);
        expect(read.map((event) => event.revision)).toEqual([0, 1, 2]);
      });

      it('rejects no_stream on an existing stream, with the actual revision', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await expectWrongExpectedVersion(store.append(stream, [newEvent()], 'no_stream'), 1);
      });

      it('rejects stream_exists on a missing stream', async () => {
        await expectWrongExpectedVersion(
          store.append(`${uniqueCategory()}-1`, [newEvent()], 'stream_exists'),
          'no_stream',
        );
      });

      it('accepts stream_exists and any on an existing stream', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.append(stream, [newEvent()], 'any');
        await store.append(stream, [newEvent()], 'stream_exists');
        await store.append(stream, [newEvent()], 'any');
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('rejects a stale or future exact revision and writes nothing', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.append(stream, [newEvent(), newEvent(), newEvent()], 'no_stream');
        await expectWrongExpectedVersion(store.append(stream, [newEvent()], 1), 2);
        await expectWrongExpectedVersion(store.append(stream, [newEvent()], 7), 2);
        await expectWrongExpectedVersion(store.append(`${uniqueCategory()}-1`, [newEvent()], 0), 'no_stream');
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('lets exactly one of many racing appends at the same revision win', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.append(stream, [newEvent()], 'no_stream');
        const racers = Array.from({ length: 40 }, (_, n) => store.append(stream, [newEvent('Raced', { n })], 0));
        const outcomes = await Promise.allSettled(racers);
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect(winners).toHaveLength(1);
        for (const loser of losers) expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersion);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('lets exactly one of many racing creations of a stream win', async () => {
        const stream = `${uniqueCategory()}-1`;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.append(stream, [newEvent()], 'no_stream')),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotent re-append', () => {
      it('answers a retried append of the same events with the same result and writes nothing', async () => {
        const stream = `${uniqueCategory()}-1`;
        const events = [newEvent(), newEvent()];
        const first = await store.append(stream, events, 'no_stream');
        const retried = await store.append(stream, events, 'no_stream');
        expect(retried).toEqual(first);
        expect(ids(await store.readStream(stream))).toEqual(ids(events as RecordedEvent[]));
      });

      it('is idempotent also after the stream has moved on', async () => {
        const stream = `${uniqueCategory()}-1`;
        const events = [newEvent()];
        const first = await store.append(stream, events, 'no_stream');
        await store.append(stream, [newEvent()], 0);
        expect(await store.append(stream, events, 'no_stream')).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('is idempotent at an exact expected revision also after the stream has moved on', async () => {
        const stream = `${uniqueCategory()}-1`;
        await store.append(stream, [newEvent()], 'no_stream');
        const events = [newEvent(), newEvent()];
        const first = await store.append(stream, events, 0);
        await store.append(stream, [newEvent()], 2);
        expect(await store.append(stream, events, 0)).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(4);
      });

      it('rejects a batch that only partly matches what was stored', async () => {
        const stream = `${uniqueCategory()}-1`;
        const stored = newEvent();
        await store.append(stream, [stored], 'no_stream');
        await expect(store.append(stream, [stored, newEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedVersion);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      if (subject.uniqueEventIdsAcrossStreams !== false) {
        // Beyond the port's promise (EventStoreDB would store them again): the embedded store refuses, so that a caller relying on more fails loudly.
        it('refuses the same ids re-appended at another place in their stream', async () => {
          const stream = `${uniqueCategory()}-1`;
          const stored = newEvent();
          await store.append(stream, [stored], 'no_stream');
          await expect(store.append(stream, [stored], 0)).rejects.toBeInstanceOf(DuplicateEventId);
          await store.append(stream, [newEvent()], 0);
          await expect(store.append(stream, [stored], 0)).rejects.toBeInstanceOf(WrongExpectedVersion);
          expect(await store.readStream(stream)).toHaveLength(2);
        });

        it('rejects an event id that is stored in another stream', async () => {
          const event = newEvent();
          await store.append(`${uniqueCategory()}-1`, [event], 'no_stream');
          await expect(store.append(`${uniqueCategory()}-2`, [event], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventId);
        });
      }
    });

    describe('reads', () => {
      it('reads a stream forwards and backwards from a revision, with a max count', async () => {
        const stream = `${uniqueCategory()}-1`;
        const events = Array.from({ length: 5 }, (_, n) => newEvent('Counted', { n }));
        await store.append(stream, events, 'no_stream');
        const forwards = await store.readStream(stream, { fromRevision: 1, maxCount: 2 });
        expect(forwards.map((event) => event.revision)).toEqual([1, 2]);
        const backwards = await store.readStream(stream, { direction: 'backwards' });
        expect(backwards.map((event) => event.revision)).toEqual([4, 3, 2, 1, 0]);
        const lastTwo = await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 });
        expect(lastTwo.map((event) => event.data)).toEqual([{ n: 3 }, { n: 2 }]);
        expect(await store.readStream(`${uniqueCategory()}-missing`)).toEqual([]);
      });

      it('records every field of the envelope', async () => {
        const stream = `${uniqueCategory()}-abc-def`;
        const before = Date.now();
        const event = newEvent('Described', { a: [1, { b: null }] }, { correlationId: 'c-1', causationId: 'e-0', schemaVersion: 2 });
        const { position } = await store.append(stream, [event], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read).toEqual({
          id: event.id,
          type: 'Described',
          streamName: stream,
          revision: 0,
          position,
          data: { a: [1, { b: null }] },
          metadata: { correlationId: 'c-1', causationId: 'e-0', schemaVersion: 2 },
          createdAt: expect.any(Date),
        });
        expect(read!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(typeof read!.position).toBe('bigint');
        expect(await store.readEvent(event.id)).toEqual(read);
        expect(await store.readEvent(uuid())).toBeUndefined();
      });

      it('orders $all by strictly increasing positions, from a position, in pages', async () => {
        const category = uniqueCategory();
        const { position: start } = await store.append(`${category}-0`, [newEvent()], 'no_stream');
        for (let n = 1; n <= 5; n++) await store.append(`${category}-${n % 2}`, [newEvent('Paged', { n })], 'any');
        const page = (await store.readAll({ after: start, maxCount: 3 })).filter((p) => p.event.streamName.startsWith(category));
        expect(page.map((p) => p.event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        const all = await store.readAll({ after: start - 1n, maxCount: 1000 });
        const positions = all.map((p) => p.event.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(new Set(positions).size).toBe(positions.length);
      });

      it('reads a category (the $ce- view) in store order, without categories that share a prefix', async () => {
        const category = uniqueCategory();
        await store.append(`${category}-1`, [newEvent('A')], 'no_stream');
        await store.append(`${category}Line-1`, [newEvent('B')], 'no_stream');
        await store.append(`${category}-2`, [newEvent('C')], 'no_stream');
        await store.append(`${category}-1`, [newEvent('D')], 0);
        const read = await store.readCategory(category);
        expect(read.map((p) => p.event.type)).toEqual(['A', 'C', 'D']);
        const rest = await store.readCategory(category, { after: read[0]!.checkpoint });
        expect(rest.map((p) => p.event.type)).toEqual(['C', 'D']);
        expect(await store.headCheckpoint({ kind: 'category', category })).toBe(read[2]!.checkpoint);
      });

      it('replays a category, where the store has that fast path, as the same events in the same pages as readCategory', async () => {
        if (store.replayCategory === undefined) return;
        const category = uniqueCategory();
        await store.append(`${category}-1`, [newEvent('A', { n: 1 }, { correlationId: 'c' }), newEvent('B', { n: 2 })], 'no_stream');
        await store.append(`${category}Line-1`, [newEvent('X')], 'no_stream');
        await store.append(`${category}-2`, [newEvent('C', { n: 3, text: 'ü' })], 'no_stream');
        const read = await store.readCategory(category);
        const lean = ({ event }: PositionedEvent) => ({
          type: event.type,
          streamName: event.streamName,
          position: event.position,
          data: event.data,
          createdAt: event.createdAt,
        });
        expect(await store.replayCategory(category)).toEqual({ events: read.map(lean), checkpoint: read[2]!.checkpoint });
        expect(await store.replayCategory(category, { after: read[0]!.checkpoint, maxCount: 1 })).toEqual({
          events: [lean(read[1]!)],
          checkpoint: read[1]!.checkpoint,
        });
        expect(await store.replayCategory(category, { after: read[2]!.checkpoint })).toEqual({ events: [], checkpoint: undefined });
      });

      it('reads by event type (the $et- view) in store order', async () => {
        const type = `${uniqueCategory('Type')}Happened`;
        const category = uniqueCategory();
        await store.append(`${category}-1`, [newEvent(type, { n: 1 }), newEvent('Other')], 'no_stream');
        await store.append(`${category}-2`, [newEvent(type, { n: 2 })], 'no_stream');
        const read = await store.readEventType(type);
        expect(read.map((p) => p.event.data)).toEqual([{ n: 1 }, { n: 2 }]);
        expect((await store.readEventType(type, { after: read[0]!.checkpoint })).map((p) => p.event.data)).toEqual([{ n: 2 }]);
      });

      it('keeps unicode and large payloads intact', async () => {
        const stream = `${uniqueCategory()}-ünï-😀`;
        const text = 'Grüße, 世界, emoji 😀🚀, right-to-left שלום, nul \u0000 end';
        const large = { blob: 'x'.repeat(2 * 1024 * 1024), list: Array.from({ length: 10000 }, (_, n) => n) };
        await store.append(stream, [newEvent('Unicode', { text }), newEvent('Large', large)], 'no_stream');
        const [unicode, big] = await store.readStream(stream);
        expect(unicode!.data).toEqual({ text });
        expect(big!.data).toEqual(large);
        expect(unicode!.streamName).toBe(stream);
      });
    });

    describe('catch-up subscriptions', () => {
      it('delivers history then live events, with no gap and no duplicate while appends race the switch', async () => {
        const category = uniqueCategory();
        for (let n = 0; n < 50; n++) await store.append(`${category}-${n % 5}`, [newEvent('Early', { n })], 'any');
        const subscription = store.subscribe({ to: { kind: 'category', category } });
        const writers = Array.from({ length: 8 }, async (_, writer) => {
          for (let n = 0; n < 40; n++) {
            await store.append(`${category}-${writer}`, [newEvent('Live', { writer, n }), newEvent('Live2')], 'any');
            if (n % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        });
        const expectedCount = 50 + 8 * 40 * 2;
        const [received] = await Promise.all([collect(subscription, expectedCount), Promise.all(writers)]);
        await subscription.close();
        const stored = await store.readCategory(category, { maxCount: 10000 });
        expect(ids(received)).toEqual(ids(stored));
        expect(new Set(ids(received)).size).toBe(expectedCount);
      });

      it('delivers $all in store order and resumes after a checkpoint', async () => {
        const category = uniqueCategory();
        const { position: start } = await store.append(`${category}-0`, [newEvent('Start')], 'no_stream');
        const writes = Array.from({ length: 30 }, (_, n) => store.append(`${category}-${n % 3}`, [newEvent('All', { n })], 'any'));
        const subscription = store.subscribe({ to: { kind: 'all' }, after: start });
        const mine = (events: PositionedEvent[]) => events.filter((p) => p.event.streamName.startsWith(`${category}-`));
        const received: PositionedEvent[] = [];
        await Promise.all(writes);
        for await (const positioned of subscription) {
          received.push(positioned);
          if (mine(received).length === 30) break;
        }
        const positions = received.map((p) => p.event.position);
        for (let n = 1; n < positions.length; n++) expect(positions[n]!).toBeGreaterThan(positions[n - 1]!);
        expect(positions[0]!).toBeGreaterThan(start);
      });

      it('stops iterating when closed while waiting for live events', async () => {
        const subscription = store.subscribe({ to: { kind: 'category', category: uniqueCategory() } });
        setTimeout(() => void subscription.close(), 50);
        expect(await collect(subscription, 1)).toEqual([]);
      });
    });

    describe('lag in events', () => {
      it('counts, where the store offers it, the events a subscription has still to deliver after a checkpoint', async () => {
        if (store.countAfter === undefined) return;
        const category = uniqueCategory();
        const other = uniqueCategory();
        for (let n = 0; n < 6; n++) {
          await store.append(`${category}-${n % 2}`, [newEvent('Numbered', { n })], 'any');
          await store.append(`${other}-1`, [newEvent(), newEvent()], 'any');
        }
        const read = await store.readCategory(category);
        const target = { kind: 'category', category } as const;
        expect(await store.countAfter(target, 0n, 1000)).toBe(6);
        expect(await store.countAfter(target, read[1]!.checkpoint, 1000)).toBe(4);
        expect(await store.countAfter(target, read[1]!.checkpoint, 3)).toBe(3);
        expect(await store.countAfter(target, read[5]!.checkpoint, 1000)).toBe(0);
      });
    });

    describe('snapshots', () => {
      it('keeps the newest snapshot of a stream, apart from its events, and forgets it on delete', async () => {
        const category = uniqueCategory();
        const stream = `${category}-1`;
        await store.append(`${category}-0`, [newEvent('Before')], 'no_stream');
        const [before] = await store.readStream(`${category}-0`);
        await store.append(stream, [newEvent(), newEvent(), newEvent()], 'no_stream');
        expect(await store.snapshots.load(stream)).toBeUndefined();
        await store.snapshots.save(stream, { revision: 1, version: 1, state: { count: 2, name: 'ünïcode' } });
        await store.snapshots.save(stream, { revision: 2, version: 1, state: { count: 3, name: 'ünïcode' } });
        expect(await store.snapshots.load(stream)).toEqual({ revision: 2, version: 1, state: { count: 3, name: 'ünïcode' } });
        expect(await store.snapshots.load(`${category}-2`)).toBeUndefined();
        // Never part of the log: not in the stream, its category, or $all.
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0, 1, 2]);
        expect(await store.readCategory(category)).toHaveLength(4);
        const all = await store.readAll({ after: before!.position });
        expect(all.every(({ event }) => !event.streamName.includes('Snapshot'))).toBe(true);
        await store.snapshots.delete(stream);
        expect(await store.snapshots.load(stream)).toBeUndefined();
        await store.snapshots.save(stream, { revision: 2, version: 2, state: { count: 3 } });
        expect(await store.snapshots.load(stream)).toEqual({ revision: 2, version: 2, state: { count: 3 } });
      });
    });

    describe('secrets', () => {
      it('keeps the first value of a key apart from the log, shares it with a second keeper, and forgets it on erase', async () => {
        const key = `${uniqueCategory('secret')}:ünïcode`;
        const head = await store.headCheckpoint({ kind: 'all' });
        expect(await store.secrets.read(key)).toBeUndefined();
        const [first, second] = await Promise.all([store.secrets.keep(key, 'first value'), store.secrets.keep(key, 'second value')]);
        expect(second).toBe(first);
        expect(['first value', 'second value']).toContain(first);
        expect(await store.secrets.keep(key, 'third value')).toBe(first);
        expect(await store.secrets.read(key)).toBe(first);
        // Never part of the log.
        expect((await store.readAll({ after: head })).filter(({ event }) => JSON.stringify([event.streamName, event.data]).includes('value'))).toEqual([]);
        await store.secrets.erase(key);
        expect(await store.secrets.read(key)).toBeUndefined();
        await store.secrets.erase(key);
        await store.secrets.erase(`${key}-never-kept`);
        // An erased key can hold a value again.
        expect(await store.secrets.keep(key, 'after erasing')).toBe('after erasing');
        expect(await store.secrets.read(key)).toBe('after erasing');
      });
    });

    const durable = subject.durable;
    if (durable === undefined) return;

    describe('durability', () => {
      it('resumes from a durable checkpoint after the store is reopened', async () => {
        const category = uniqueCategory();
        for (let n = 0; n < 20; n++) await store.append(`${category}-${n % 4}`, [newEvent('Numbered', { n })], 'any');
        const name = `${category}-reader`;
        const first = store.subscribe({ to: { kind: 'category', category } });
        const firstHalf = await collect(first, 12);
        await first.close();
        await store.checkpoints.save(name, firstHalf[11]!.checkpoint);

        store = await durable.reopen(store);
        const checkpoint = await store.checkpoints.load(name);
        expect(checkpoint).toBe(firstHalf[11]!.checkpoint);
        const second = store.subscribe({ to: { kind: 'category', category }, after: checkpoint });
        const secondHalf = await collect(second, 8);
        await second.close();
        expect([...firstHalf, ...secondHalf].map((p) => p.event.data)).toEqual(
          Array.from({ length: 20 }, (_, n) => ({ n })),
        );
        expect(await store.checkpoints.load(`${category}-never-saved`)).toBeUndefined();
      });

      it('keeps secrets across a reopen', async () => {
        const key = uniqueCategory('secret');
        await store.secrets.keep(key, 'kept');
        store = await durable.reopen(store);
        expect(await store.secrets.read(key)).toBe('kept');
      });

      it('keeps data and continues positions and revisions after a reopen', async () => {
        const stream = `${uniqueCategory()}-1`;
        const before = await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        store = await durable.reopen(store);
        expect(await store.readStream(stream)).toHaveLength(2);
        const after = await store.append(stream, [newEvent()], before.nextExpectedRevision);
        expect(after.nextExpectedRevision).toBe(2);
        expect(after.position).toBeGreaterThan(before.position);
      });

      it('loses no acknowledged append when the writing process is killed with SIGKILL, three times', async () => {
        for (let round = 0; round < 3; round++) {
          const { acknowledged, stream } = await crashTestScenario(durable.childEnvironment());
          expect(acknowledged.length).toBeGreaterThan(0);
          const stored = await store.readStream(stream);
          const storedIds = new Set(stored.map((event) => event.id));
          expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
          expect(stored.map((event) => event.revision)).toEqual(stored.map((_, index) => index));
        }
      }, 90000);
    });
  });
};
