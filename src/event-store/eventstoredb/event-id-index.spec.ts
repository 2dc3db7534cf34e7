import { BACKWARDS, END, type AllStreamResolvedEvent } from '@eventstore/db-client';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { EsdbClient } from './client';
import { scanForEvent, uuidV7Time, type EventIdIndex } from './event-id-index';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { FakeReadable, recorded, resolvedAll } from './testing/client-fakes';

const minutes = 60_000;

/** `$all` read backwards: newest first. */
const allBackwards = (events: ReturnType<typeof recorded>[]) => {
  const source = new FakeReadable<AllStreamResolvedEvent>(events.map(resolvedAll), 'end');
  const readAll = jest.fn(() => source);
  return { client: { readAll } as unknown as Pick<EsdbClient, 'readAll'>, readAll, source };
};

describe('readEvent by id on EventStoreDB', () => {
  it('reads the time of a uuid v7, and nothing from other versions', () => {
    expect(uuidV7Time(uuidv7({ msecs: 1_750_000_000_000 }))).toBe(1_750_000_000_000);
    expect(uuidV7Time(uuidv4())).toBeUndefined();
  });

  it('scans $all backwards from its end and finds a recent event after a short read', async () => {
    const now = Date.now();
    const wanted = recorded({ streamId: 'Order-1', revision: 0, position: 50, id: uuidv7({ msecs: now - 1000 }), created: new Date(now - 1000) });
    const newer = Array.from({ length: 3 }, (_, n) => recorded({ streamId: `Order-${n + 2}`, revision: 0, position: 60 + n, created: new Date(now) }));
    const { client, readAll, source } = allBackwards([...newer.reverse(), wanted, recorded({ streamId: 'Old-1', revision: 0, position: 1 })]);
    const found = await scanForEvent(client, wanted.id);
    expect(found).toMatchObject({ id: wanted.id, streamName: 'Order-1', position: 50n });
    expect(readAll).toHaveBeenCalledWith({ direction: BACKWARDS, fromPosition: END });
    expect(source.cancel).toHaveBeenCalled();
  });

  it('stops at events older than a v7 id’s time (less the clock-skew margin): a missing id costs a short read too', async () => {
    const now = Date.now();
    const events = Array.from({ length: 100 }, (_, n) =>
      recorded({ streamId: `Order-${n}`, revision: 0, position: 1000 - n, created: new Date(now - n * minutes) }),
    );
    const { client, source } = allBackwards(events);
    await expect(scanForEvent(client, uuidv7({ msecs: now - 5 * minutes }), { clockSkewMs: minutes })).resolves.toBeUndefined();
    expect(source.taken).toBeLessThan(10);
  });

  it('asks the injected id index first, and falls back to recent events the index may not have yet', async () => {
    const stored = recorded({ streamId: 'Order-9', revision: 4, position: 777 });
    const index: EventIdIndex = { locate: jest.fn(async (id: string) => (id === stored.id ? { stream: 'Order-9', revision: 4 } : undefined)) };
    const readStream = jest.fn(() => new FakeReadable([{ event: stored }], 'end'));
    const recent = recorded({ streamId: 'Order-10', revision: 0, position: 800, id: uuidv7(), created: new Date() });
    const readAll = jest.fn(() => new FakeReadable([resolvedAll(recent)], 'end'));
    const store = new EventStoreDbEventStore({ readStream, readAll } as unknown as EsdbClient, { eventIdIndex: index, projectionBarrier: { timeoutMs: 0 } });
    await expect(store.readEvent(stored.id)).resolves.toMatchObject({ id: stored.id, revision: 4, position: 777n });
    expect(readStream).toHaveBeenCalledWith('Order-9', expect.objectContaining({ fromRevision: 4n, maxCount: 1 }));
    expect(readAll).not.toHaveBeenCalled();
    await expect(store.readEvent(recent.id)).resolves.toMatchObject({ id: recent.id, position: 800n });
    expect(readAll).toHaveBeenCalledTimes(1);
  });
});
