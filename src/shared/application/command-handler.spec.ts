import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { DuplicateEventId } from '../../event-store/errors';
import { type Decider, type DomainEvent, reject } from '../domain/decider';
import { CommandHandler, ConcurrencyConflict, PreconditionFailed } from './command-handler';
import { newEventId } from './event-ids';

type CounterEvent = DomainEvent<'Incremented', { by: number }>;
type CounterCommand = { type: 'Increment'; by: number; max: number };

const counter: Decider<number, CounterCommand, CounterEvent> = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) =>
    total + command.by > command.max ? reject('conflict', 'over the maximum') : [{ type: 'Incremented', data: { by: command.by } }],
};

const context = () => ({ correlationId: 'c', causationId: newEventId() });

describe('command handler', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = SqliteEventStore.open({ filename: ':memory:' });
  });
  afterEach(() => store.close());

  it('appends what the decider decides, with correlation, causation and schema version', async () => {
    const handler = new CommandHandler(store);
    const cause = context();
    const result = await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 2, max: 10 }, cause);
    expect(result).toMatchObject({ accepted: true, state: 2, revision: 0 });
    const [event] = await store.readStream('Counter-1');
    expect(event).toMatchObject({ type: 'Incremented', data: { by: 2 }, metadata: { ...cause, schemaVersion: 1 } });
  });

  it('returns a rejection as a value and appends nothing', async () => {
    const handler = new CommandHandler(store);
    const result = await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 11, max: 10 }, context());
    expect(result).toMatchObject({ accepted: false, rejection: { code: 'conflict' } });
    expect(await store.readStream('Counter-1')).toEqual([]);
  });

  it('keeps an invariant across racing commands from two handlers (two processes) on one stream', async () => {
    const first = new CommandHandler(store, { maxRetries: 100 });
    const second = new CommandHandler(store, { maxRetries: 100 });
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        (n % 2 === 0 ? first : second).handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 25 }, context()),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.accepted)).toHaveLength(25);
    expect(await store.readStream('Counter-1')).toHaveLength(25);
  });

  describe('ifMatch (HTTP If-Match)', () => {
    it('decides only at a revision it names, and appends nothing otherwise', async () => {
      const handler = new CommandHandler(store);
      await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, context());
      await expect(handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, { ...context(), ifMatch: [1, 2] })).rejects.toBeInstanceOf(
        PreconditionFailed,
      );
      expect(await store.readStream('Counter-1')).toHaveLength(1);
      expect(await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, { ...context(), ifMatch: [0] })).toMatchObject({ revision: 1 });
    });

    it('checks what the store holds, not a cached revision another writer has passed', async () => {
      const handler = new CommandHandler(store);
      await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, context());
      await store.append('Counter-1', [{ id: newEventId(), type: 'Incremented', data: { by: 1 } }], 0);
      // The client read revision 1 (the other writer's); this handler's cache still says 0.
      expect(await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, { ...context(), ifMatch: [1] })).toMatchObject({ revision: 2 });
      await expect(handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, { ...context(), ifMatch: [0] })).rejects.toBeInstanceOf(
        PreconditionFailed,
      );
    });
  });

  it('sees what another writer appended since it cached the stream', async () => {
    const handler = new CommandHandler(store);
    await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 5, max: 10 }, context());
    await store.append('Counter-1', [{ id: newEventId(), type: 'Incremented', data: { by: 5 } }], 0);
    const result = await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, context());
    expect(result).toMatchObject({ accepted: false, state: 10, revision: 1 });
  });

  it('decides on an empty stream it has just read without reading it again', async () => {
    const handler = new CommandHandler(store);
    expect((await handler.load(counter, 'Counter-1')).revision).toBe(-1);
    const reads = jest.spyOn(store, 'readStream');
    const result = await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, context());
    expect(result).toMatchObject({ accepted: true, state: 1, revision: 0 });
    expect(reads).not.toHaveBeenCalled();
  });

  it('sees a stream another writer started after it read it empty', async () => {
    const handler = new CommandHandler(store);
    await handler.load(counter, 'Counter-1');
    await store.append('Counter-1', [{ id: newEventId(), type: 'Incremented', data: { by: 9 } }], 'no_stream');
    const result = await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 2, max: 10 }, context());
    expect(result).toMatchObject({ accepted: false, state: 9, revision: 0 });
    expect(await store.readStream('Counter-1')).toHaveLength(1);
  });

  it('decides a refusal again on the fresh state when another writer moved the cached stream on', async () => {
    const handler = new CommandHandler(store);
    await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 10, max: 10 }, context());
    await store.append('Counter-1', [{ id: newEventId(), type: 'Incremented', data: { by: -5 } }], 0);
    const result = await handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, context());
    expect(result).toMatchObject({ accepted: true, state: 6, revision: 2 });
  });

  it('gives up with a ConcurrencyConflict when the stream keeps changing', async () => {
    const handler = new CommandHandler(store, { maxRetries: 2 });
    const realAppend = store.append.bind(store);
    let sneaked = 0;
    store.append = async (stream, events, expected) => {
      sneaked++;
      await realAppend(stream, [{ id: newEventId(), type: 'Incremented', data: { by: 0 } }], 'any');
      return realAppend(stream, events, expected);
    };
    await expect(handler.handle(counter, 'Counter-1', { type: 'Increment', by: 1, max: 10 }, context())).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect(sneaked).toBe(3);
  });

  it('with deterministic ids, a decider that forgets it acted is refused by the embedded store, not deduplicated', async () => {
    const cause = { correlationId: 'c', causationId: newEventId(), deterministicIds: true };
    const command = { type: 'Increment' as const, by: 1, max: 10 };
    await new CommandHandler(store).handle(counter, 'Counter-1', command, cause);
    // Deciding again at the stream's end: EventStoreDB would store the same ids a second time (the port promises nothing here).
    const redelivered = new CommandHandler(store).handle(
      { ...counter, decide: (c) => [{ type: 'Incremented' as const, data: { by: c.by } }] },
      'Counter-1',
      command,
      cause,
    );
    await expect(redelivered).rejects.toBeInstanceOf(DuplicateEventId);
    expect(await store.readStream('Counter-1')).toHaveLength(1);
  });
});

