import { DuplicateEventId, EventStoreOverloaded, isTransientStoreError } from '../errors';
import { openDatabase } from './open-database';
import { SqliteEventStore } from './sqlite-event-store';

const event = (n: number) => ({ id: `0193f0a2-0000-7000-8000-${String(n).padStart(12, '0')}`, type: 'Happened', data: { n } });

describe('the embedded store\'s group commit', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = SqliteEventStore.open({ filename: ':memory:' });
  });
  afterEach(() => store.close());

  it('commits the appends and checkpoint saves of one turn together, and resolves them after the commit', async () => {
    const [appended] = await Promise.all([store.append('Thing-1', [event(1)], 'no_stream'), store.checkpoints.save('reader', 7n)]);
    expect(appended.nextExpectedRevision).toBe(0);
    expect(await store.checkpoints.load('reader')).toBe(7n);
  });

  it('fails only the savers of a checkpoint that cannot be saved, not the appends of the same turn', async () => {
    const outcomes = await Promise.allSettled([
      store.append('Thing-1', [event(1)], 'no_stream'),
      store.checkpoints.save('reader', 2n ** 70n),
      store.append('Thing-2', [event(2)], 'no_stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.readStream('Thing-2')).toHaveLength(1);
    expect(await store.checkpoints.load('reader')).toBeUndefined();
  });

  it('fails only a write that throws (a secret that cannot be kept), not the appends, other writes and checkpoints of its turn', async () => {
    const outcomes = await Promise.allSettled([
      store.append('Thing-1', [event(1)], 'no_stream'),
      store.secrets.keep('kept', 'value'),
      store.secrets.keep('refused', null as unknown as string),
      store.checkpoints.save('reader', 3n),
      store.append('Thing-2', [event(2)], 'no_stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((await store.readAll()).map(({ event: { streamName } }) => streamName)).toEqual(['Thing-1', 'Thing-2']);
    expect(await store.secrets.read('kept')).toBe('value');
    expect(await store.secrets.read('refused')).toBeUndefined();
    expect(await store.checkpoints.load('reader')).toBe(3n);
  });

  it('undoes a failed append in a turn, all of its events, and only it', async () => {
    await store.append('Thing-0', [event(1)], 'no_stream');
    const outcomes = await Promise.allSettled([
      store.append('Thing-1', [event(2)], 'no_stream'),
      store.append('Thing-2', [event(1)], 'no_stream'),
      store.append('Thing-3', [event(3), event(1)], 'no_stream'),
      store.append('Thing-4', [event(4), event(5)], 'no_stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventId);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventId);
    expect(await store.readStream('Thing-3')).toEqual([]);
    expect(await store.readEvent(event(3).id)).toBeUndefined();
    expect((await store.readAll()).map(({ event: { streamName, revision } }) => `${streamName}@${revision}`)).toEqual([
      'Thing-0@0',
      'Thing-1@0',
      'Thing-4@0',
      'Thing-4@1',
    ]);
  });

  it('refuses an append past maxPendingAppends at once (EventStoreOverloaded, which clears), and takes appends again after the commit', async () => {
    const bounded = new SqliteEventStore(openDatabase({ filename: ':memory:' }), 3);
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, n) => bounded.append(`Thing-${n}`, [event(n)], 'no_stream')));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
      const refused = (outcomes[3] as PromiseRejectedResult).reason;
      expect(refused).toBeInstanceOf(EventStoreOverloaded);
      expect(isTransientStoreError(refused)).toBe(true);
      expect(await bounded.readStream('Thing-3')).toEqual([]);
      await expect(bounded.append('Thing-3', [event(3)], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0 });
    } finally {
      await bounded.close();
    }
  });
});
