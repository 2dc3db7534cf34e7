import fc from 'fast-check';
import { WrongExpectedVersion } from '../errors';
import type { NewEvent } from '../event-store.port';
import { newEvent } from '../testing/event-store-contract';
import { SqliteEventStore } from './sqlite-event-store';

const appendPlan = fc.array(
  fc.record({
    stream: fc.integer({ min: 0, max: 4 }),
    size: fc.integer({ min: 0, max: 4 }),
    /** Whether this append waits for the previous ones before it is sent. */
    awaitBefore: fc.boolean(),
  }),
  { minLength: 1, maxLength: 40 },
);

describe('sqlite event store properties', () => {
  it('any interleaving of appends gives each stream revisions 0..n-1 and the store strictly increasing positions', async () => {
    await fc.assert(
      fc.asyncProperty(appendPlan, async (plan) => {
        const store = SqliteEventStore.open({ filename: ':memory:' });
        const inFlight: Promise<unknown>[] = [];
        const sent = new Map<number, number>();
        for (const { stream, size, awaitBefore } of plan) {
          if (awaitBefore) await Promise.all(inFlight);
          const events = Array.from({ length: size }, (_, n) => newEvent('Planned', { stream, n }));
          inFlight.push(store.append(`Prop-${stream}`, events, 'any'));
          sent.set(stream, (sent.get(stream) ?? 0) + size);
        }
        await Promise.all(inFlight);
        for (const [stream, count] of sent) {
          const read = await store.readStream(`Prop-${stream}`);
          expect(read.map((event) => event.revision)).toEqual(Array.from({ length: count }, (_, n) => n));
        }
        const all = await store.readAll({ maxCount: 10000 });
        for (let n = 1; n < all.length; n++) expect(all[n]!.event.position).toBeGreaterThan(all[n - 1]!.event.position);
        expect(all).toHaveLength([...sent.values()].reduce((sum, count) => sum + count, 0));
        await store.close();
      }),
      { numRuns: 60 },
    );
  });

  it('with exact expected revisions, the appends that succeed are exactly those whose revision was current', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -1, max: 6 }), { minLength: 1, maxLength: 30 }), async (expectations) => {
        const store = SqliteEventStore.open({ filename: ':memory:' });
        let head = -1;
        const model: boolean[] = [];
        for (const expected of expectations) {
          model.push(expected === head);
          if (expected === head) head++;
        }
        const outcomes = await Promise.allSettled(
          expectations.map((expected) =>
            store.append('Exact-1', [newEvent()], expected === -1 ? 'no_stream' : expected),
          ),
        );
        expect(outcomes.map((outcome) => outcome.status === 'fulfilled')).toEqual(model);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(WrongExpectedVersion);
        }
        expect(await store.readStream('Exact-1')).toHaveLength(head + 1);
        await store.close();
      }),
      { numRuns: 100 },
    );
  });
});

describe('group commit', () => {
  it('commits the appends of one turn together, and a failed check fails only its own append', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    const duplicate: NewEvent = newEvent();
    await store.append('Group-0', [duplicate], 'no_stream');
    const outcomes = await Promise.allSettled([
      store.append('Group-1', [newEvent()], 'no_stream'),
      store.append('Group-0', [newEvent()], 'no_stream'),
      store.append('Group-2', [newEvent(), duplicate], 'no_stream'),
      store.append('Group-3', [newEvent()], 'no_stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(await store.readStream('Group-2')).toEqual([]);
    const [first, , , last] = outcomes as PromiseFulfilledResult<{ position: bigint }>[];
    expect(last!.value.position - first!.value.position).toBe(1n);
    await store.close();
  });

  it('rejects appends after close, and close waits for appends already made', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    const made = store.append('Closing-1', [newEvent()], 'no_stream');
    await store.close();
    await expect(made).resolves.toMatchObject({ nextExpectedRevision: 0 });
    await expect(store.append('Closing-1', [newEvent()], 'any')).rejects.toThrow('closed');
  });
});
