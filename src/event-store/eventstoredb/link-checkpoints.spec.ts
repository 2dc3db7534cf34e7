// The client's own decoder and generated messages: what it really makes of a field the server left out.
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import * as streams from '@eventstore/db-client/generated/streams_pb';
import { BACKWARDS, END, FORWARDS, START, StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { fromAll, fromLinkStream, toRecordedEvent } from './resolved-event';
import { FakeReadable, linkTo, recorded, resolvedAll, resolvedLink } from './testing/client-fakes';

describe('checkpoints of $ce-/$et- entries come from the link, not from the event', () => {
  it('takes link.revision (+1), although the resolved event has a revision of its own in its own stream', () => {
    const event = recorded({ streamId: 'Order-7', revision: 3, position: 5555, type: 'OrderPaid', metadata: { correlationId: 'c-1' } });
    const step = fromLinkStream(resolvedLink('$ce-Order', 41, event));
    expect(step?.checkpoint).toBe(42n);
    expect(step?.positioned).toEqual({
      checkpoint: 42n,
      event: {
        id: event.id,
        type: 'OrderPaid',
        streamName: 'Order-7',
        revision: 3,
        position: 5555n,
        data: { n: 0 },
        metadata: { correlationId: 'c-1' },
        createdAt: event.created,
      },
    });
  });

  it('moves the checkpoint past a link whose event is gone, delivering nothing', () => {
    expect(fromLinkStream(resolvedLink('$ce-Order', 9, undefined))).toEqual({ checkpoint: 10n });
    // A link the server could not resolve comes back as the link record itself.
    const unresolved: ResolvedEvent = { event: linkTo('$ce-Order', 11, { streamId: 'Order-1', revision: 0n }) };
    expect(fromLinkStream(unresolved)).toEqual({ checkpoint: 12n });
  });

  it('gives $all entries their commit position, and skips system events and checkpoint streams but moves past them', () => {
    const mine = recorded({ streamId: 'Order-1', revision: 0, position: 700 });
    expect(fromAll(resolvedAll(mine))?.positioned?.checkpoint).toBe(700n);
    expect(fromAll(resolvedAll(recorded({ streamId: '$$Order-1', revision: 0, position: 701, type: '$metadata' })))).toEqual({
      checkpoint: 701n,
    });
    expect(fromAll(resolvedAll(recorded({ streamId: 'SubscriptionCheckpoint-x', revision: 0, position: 702 })))).toEqual({
      checkpoint: 702n,
    });
  });

  it('gives events without metadata an empty metadata object, and refuses events without a log position', () => {
    expect(toRecordedEvent(recorded({ streamId: 'A-1', revision: 0, position: 1 })).metadata).toEqual({});
    const noPosition = { ...recorded({ streamId: 'A-1', revision: 0, position: 1 }), position: undefined };
    expect(() => toRecordedEvent(noPosition)).toThrow(/22\.6/);
    const endPosition = recorded({ streamId: 'A-1', revision: 0, position: 2n ** 64n - 1n });
    expect(() => toRecordedEvent(endPosition)).toThrow(/no log position/);
  });

  it('refuses an event sent with no position (a server before 22.6) as the client really decodes it: 0/0, not undefined', () => {
    const grpc = new streams.ReadResp.ReadEvent.RecordedEvent();
    const id = new shared.UUID();
    id.setString('2f5c8e7a-1111-4222-8333-444455556666');
    grpc.setId(id);
    const streamIdentifier = new shared.StreamIdentifier();
    streamIdentifier.setStreamName(Buffer.from('Order-1'));
    grpc.setStreamIdentifier(streamIdentifier);
    grpc.setStreamRevision('3');
    grpc.getMetadataMap().set('type', 'OrderPlaced').set('content-type', 'application/json').set('created', '16000000000000000');
    grpc.setData(Buffer.from('{}'));
    grpc.setCustomMetadata(Buffer.from('{}'));
    const read = new streams.ReadResp.ReadEvent();
    read.setEvent(grpc);
    read.setNoPosition(new shared.Empty());
    const { event } = convertGrpcEvent(read);
    expect(event?.position).toEqual({ commit: 0n, prepare: 0n });
    expect(() => toRecordedEvent(event!)).toThrow(/22\.6/);
  });
});

describe('category and event-type reads against a fake client', () => {
  const order = (revision: number, position: number) => recorded({ streamId: `Order-${revision}`, revision: 0, position });

  const storeReading = (entries: Record<string, ResolvedEvent[] | Error>) => {
    const readStream = jest.fn((stream: string, options?: { fromRevision?: unknown; direction?: unknown; maxCount?: unknown; resolveLinkTos?: boolean }) => {
      const found = entries[stream];
      if (found === undefined) return new FakeReadable([], new StreamNotFoundError(undefined, stream));
      if (found instanceof Error) return new FakeReadable([], found);
      const backwards = options?.direction === BACKWARDS;
      const from = typeof options?.fromRevision === 'bigint' ? Number(options.fromRevision) : 0;
      const ordered = backwards ? [...found].reverse() : found.slice(from);
      const limit = typeof options?.maxCount === 'number' ? options.maxCount : ordered.length;
      // Without resolveLinkTos the server returns the link records themselves, as `event`.
      const shaped = options?.resolveLinkTos === true ? ordered : ordered.map((entry): ResolvedEvent => ({ event: entry.link ?? entry.event }));
      return new FakeReadable(shaped.slice(0, limit), 'end');
    });
    const store = new EventStoreDbEventStore({ readStream } as unknown as EsdbClient, { projectionBarrier: { timeoutMs: 0 } });
    return { store, readStream };
  };

  it('reads $ce-<Category> with resolveLinkTos from the checkpoint, and the checkpoints are link revisions + 1', async () => {
    const links = [resolvedLink('$ce-Order', 0, order(0, 100)), resolvedLink('$ce-Order', 1, order(1, 300)), resolvedLink('$ce-Order', 2, order(2, 900))];
    const { store, readStream } = storeReading({ '$ce-Order': links });
    const all = await store.readCategory('Order');
    expect(all.map((positioned) => positioned.checkpoint)).toEqual([1n, 2n, 3n]);
    expect(all.map((positioned) => positioned.event.position)).toEqual([100n, 300n, 900n]);
    expect(readStream).toHaveBeenLastCalledWith('$ce-Order', { direction: FORWARDS, fromRevision: START, maxCount: 1000, resolveLinkTos: true });

    const rest = await store.readCategory('Order', { after: all[0]!.checkpoint, maxCount: 10 });
    expect(rest.map((positioned) => positioned.event.streamName)).toEqual(['Order-1', 'Order-2']);
    expect(readStream).toHaveBeenLastCalledWith('$ce-Order', { direction: FORWARDS, fromRevision: 1n, maxCount: 10, resolveLinkTos: true });
  });

  it('reads $et-<Type> the same way', async () => {
    const { store, readStream } = storeReading({ '$et-OrderPlaced': [resolvedLink('$et-OrderPlaced', 0, order(0, 100))] });
    expect((await store.readEventType('OrderPlaced')).map((positioned) => positioned.checkpoint)).toEqual([1n]);
    expect(readStream).toHaveBeenLastCalledWith('$et-OrderPlaced', expect.objectContaining({ resolveLinkTos: true }));
  });

  it('answers the head checkpoint of a category from its newest link, and 0n for a category with no events', async () => {
    const { store, readStream } = storeReading({
      '$ce-Order': [resolvedLink('$ce-Order', 0, order(0, 100)), resolvedLink('$ce-Order', 1, order(1, 300))],
    });
    expect(await store.headCheckpoint({ kind: 'category', category: 'Order' })).toBe(2n);
    expect(readStream).toHaveBeenLastCalledWith('$ce-Order', { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    expect(await store.headCheckpoint({ kind: 'category', category: 'Nothing' })).toBe(0n);
    expect(await store.readCategory('Nothing')).toEqual([]);
  });
});
