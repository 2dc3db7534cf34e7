import { BACKWARDS, END, FORWARDS, START, type AllStreamResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { FakeReadable, grpcError, recorded, resolvedAll } from './testing/client-fakes';

/** `$all` as the server holds it: user events, projection links, metadata, our checkpoint streams. */
const log = [
  recorded({ streamId: 'Order-1', revision: 0, position: 100 }),
  recorded({ streamId: '$ce-Order', revision: 0, position: 150, type: '$>' }),
  recorded({ streamId: 'Order-1', revision: 1, position: 200 }),
  recorded({ streamId: 'SubscriptionCheckpoint-pm', revision: 0, position: 250, type: 'SubscriptionCheckpointStored' }),
  recorded({ streamId: 'Order-2', revision: 0, position: 300 }),
  recorded({ streamId: '$$Order-2', revision: 0, position: 350, type: '$metadata' }),
  recorded({ streamId: 'Order-2', revision: 1, position: 400 }),
];

/** The server reads $all from a record's position, inclusive; from inside a record it refuses (INVALID_ARGUMENT). */
const fakeAll = () =>
  jest.fn((options?: { direction?: unknown; fromPosition?: unknown }) => {
    const backwards = options?.direction === BACKWARDS;
    const from = options?.fromPosition;
    if (typeof from === 'object' && from !== null && !log.some((event) => event.position!.commit === (from as { commit: bigint }).commit)) {
      return new FakeReadable<AllStreamResolvedEvent>([], grpcError(3, 'Trying to read from an invalid position.'));
    }
    const start = from === START || from === END || from === undefined ? undefined : (from as { commit: bigint }).commit;
    const ordered = backwards ? [...log].reverse() : log;
    const selected = ordered.filter((event) => start === undefined || (backwards ? event.position!.commit <= start : event.position!.commit >= start));
    return new FakeReadable(selected.map(resolvedAll), 'end');
  });

describe('reading $all', () => {
  it('reads after a checkpoint (the server’s read is inclusive), without system events or checkpoint streams, up to maxCount', async () => {
    const readAll = fakeAll();
    const store = new EventStoreDbEventStore({ readAll } as unknown as EsdbClient, { projectionBarrier: { timeoutMs: 0 } });
    const page = await store.readAll({ after: 100n, maxCount: 2 });
    expect(page.map((positioned) => positioned.checkpoint)).toEqual([200n, 300n]);
    expect(readAll).toHaveBeenCalledWith({ direction: FORWARDS, fromPosition: { commit: 100n, prepare: 100n } });
    expect((await store.readAll()).map((positioned) => positioned.event.position)).toEqual([100n, 200n, 300n, 400n]);
  });

  it('reads after a position inside a record (position - 1) from the last record before it', async () => {
    const readAll = fakeAll();
    const store = new EventStoreDbEventStore({ readAll } as unknown as EsdbClient, { projectionBarrier: { timeoutMs: 0 } });
    expect((await store.readAll({ after: 299n })).map((positioned) => positioned.checkpoint)).toEqual([300n, 400n]);
    expect(readAll).toHaveBeenCalledWith({ direction: BACKWARDS, fromPosition: END });
  });

  it('scans nothing for any other refusal: access denied is the caller\'s error, with no backwards read of $all', async () => {
    const readAll = jest.fn(() => new FakeReadable<AllStreamResolvedEvent>([], grpcError(7, 'Access denied', { exception: 'access-denied' })));
    const store = new EventStoreDbEventStore({ readAll } as unknown as EsdbClient, { projectionBarrier: { timeoutMs: 0 } });
    await expect(store.readAll({ after: 299n })).rejects.toThrow(/denied/i);
    expect(readAll).toHaveBeenCalledTimes(1);
    expect(readAll).not.toHaveBeenCalledWith(expect.objectContaining({ direction: BACKWARDS }));
  });

  it('answers the head of $all with the newest event that is not a system event', async () => {
    const store = new EventStoreDbEventStore({ readAll: fakeAll() } as unknown as EsdbClient, { projectionBarrier: { timeoutMs: 0 } });
    expect(await store.headCheckpoint({ kind: 'all' })).toBe(400n);
  });
});
