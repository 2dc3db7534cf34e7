import { BACKWARDS, END, StreamNotFoundError, type EventData, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { checkpointEventType, checkpointStream, EventStoreDbCheckpointStore } from './eventstoredb-checkpoint-store';
import { FakeReadable, recorded } from './testing/client-fakes';

/** A fake of the client's stream calls that keeps appended events per stream, enough for the checkpoint stream. */
const fakeStreams = () => {
  const streams = new Map<string, ResolvedEvent[]>();
  const client = {
    appendToStream: jest.fn(async (stream: string, event: EventData | EventData[]) => {
      const stored = streams.get(stream) ?? [];
      for (const data of Array.isArray(event) ? event : [event]) {
        stored.push({ event: recorded({ streamId: stream, revision: stored.length, position: 10 * (stored.length + 1), type: data.type, data: data.data, id: data.id }) });
      }
      streams.set(stream, stored);
      return { success: true, nextExpectedRevision: BigInt(stored.length - 1) };
    }),
    readStream: jest.fn((stream: string, options?: { direction?: unknown; maxCount?: number | bigint }) => {
      const stored = streams.get(stream);
      if (stored === undefined) return new FakeReadable([], new StreamNotFoundError(undefined, stream));
      const ordered = options?.direction === BACKWARDS ? [...stored].reverse() : stored;
      return new FakeReadable(ordered.slice(0, Number(options?.maxCount ?? ordered.length)), 'end');
    }),
    setStreamMetadata: jest.fn(async () => ({ success: true, nextExpectedRevision: 0n })),
  };
  return { client, streams };
};

describe('checkpoints in EventStoreDB streams', () => {
  it('loads undefined for a subscriber that never saved one', async () => {
    const { client } = fakeStreams();
    await expect(new EventStoreDbCheckpointStore(client as unknown as EsdbClient).load('payments-on-orders')).resolves.toBeUndefined();
  });

  it('keeps one stream per subscriber, limited to its newest event by $maxCount 1, set once', async () => {
    const { client, streams } = fakeStreams();
    const store = new EventStoreDbCheckpointStore(client as unknown as EsdbClient);
    await store.save('payments-on-orders', 41n);
    await store.save('payments-on-orders', 2n ** 62n);
    expect(client.setStreamMetadata).toHaveBeenCalledTimes(1);
    expect(client.setStreamMetadata).toHaveBeenCalledWith('SubscriptionCheckpoint-payments-on-orders', { maxCount: 1 });
    expect(streams.get(checkpointStream('payments-on-orders'))!.map((entry) => [entry.event!.type, entry.event!.data])).toEqual([
      [checkpointEventType, { checkpoint: '41' }],
      [checkpointEventType, { checkpoint: String(2n ** 62n) }],
    ]);
    await expect(store.load('payments-on-orders')).resolves.toBe(2n ** 62n);
    expect(client.readStream).toHaveBeenLastCalledWith('SubscriptionCheckpoint-payments-on-orders', {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    await expect(store.load('another')).resolves.toBeUndefined();
  });
});
