import { excludeSystemEvents, START, type AllStreamResolvedEvent, type ResolvedEvent } from '@eventstore/db-client';
import type { PositionedEvent, Subscription } from '../event-store.port';
import { backoffDelay } from './backoff';
import type { EsdbClient, StoreLogger } from './client';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { FakeReadable, grpcError, grpcStatus, recorded, resolvedAll, resolvedLink } from './testing/client-fakes';

const order = (n: number) => recorded({ streamId: `Order-${n}`, revision: 0, position: 100 * (n + 1), data: { n } });
const entry = (n: number) => resolvedLink('$ce-Order', n, order(n));

/** The client's `subscribeToStream`, faked: each call hands out the next prepared subscription. */
const fakeSubscriptions = <Item>(...subscriptions: Array<FakeReadable<Item>>) => {
  const opened: Array<FakeReadable<Item>> = [];
  const open = jest.fn(() => {
    const next = subscriptions.shift() ?? new FakeReadable<Item>();
    opened.push(next);
    return next;
  });
  return { open, opened };
};

const take = async (subscription: Subscription, count: number): Promise<PositionedEvent[]> => {
  const received: PositionedEvent[] = [];
  for await (const positioned of subscription) {
    received.push(positioned);
    if (received.length === count) break;
  }
  return received;
};

const logger = (): StoreLogger & { warn: jest.Mock; error: jest.Mock } => ({ warn: jest.fn(), error: jest.fn() });

describe('backoff', () => {
  it('doubles from 100 ms to a 5 s ceiling, with jitter between half and all of it', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => backoffDelay(attempt, undefined, () => 1))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
    expect(backoffDelay(0, undefined, () => 0)).toBe(50);
    expect(backoffDelay(9, undefined, () => 0)).toBe(2500);
  });
});

describe('category subscription over the client’s subscribeToStream', () => {
  const storeWith = (subscribeToStream: jest.Mock, log = logger()) =>
    new EventStoreDbEventStore({ subscribeToStream } as unknown as EsdbClient, {
      backoff: { initialMs: 1, maxMs: 4 },
      logger: log,
      projectionBarrier: { timeoutMs: 0 },
    });

  it('subscribes to $ce-<Category> with resolveLinkTos, from the start or from the checkpoint (exclusive)', async () => {
    const { open } = fakeSubscriptions(new FakeReadable<ResolvedEvent>([entry(0)]), new FakeReadable<ResolvedEvent>([entry(5)]));
    const store = storeWith(open);
    const fromStart = store.subscribe({ to: { kind: 'category', category: 'Order' } });
    expect((await take(fromStart, 1)).map((positioned) => positioned.checkpoint)).toEqual([1n]);
    expect(open).toHaveBeenLastCalledWith('$ce-Order', { fromRevision: START, resolveLinkTos: true });
    // After checkpoint 5 (link revision 4), the client is asked to start after link revision 4.
    const resumed = store.subscribe({ to: { kind: 'category', category: 'Order' }, after: 5n });
    expect((await take(resumed, 1)).map((positioned) => positioned.checkpoint)).toEqual([6n]);
    expect(open).toHaveBeenLastCalledWith('$ce-Order', { fromRevision: 4n, resolveLinkTos: true });
  });

  it('resubscribes after the subscription errors, from the last delivered link, and delivers nothing twice', async () => {
    const dropped = new FakeReadable<ResolvedEvent>([entry(0), entry(1)], grpcError(grpcStatus.UNAVAILABLE, 'connection reset'));
    // The server may start again at the checkpoint itself: the repeated entry must be skipped.
    const again = new FakeReadable<ResolvedEvent>([entry(1), entry(2), entry(3)]);
    const { open } = fakeSubscriptions(dropped, again);
    const log = logger();
    const subscription = storeWith(open, log).subscribe({ to: { kind: 'category', category: 'Order' } });
    const received = await take(subscription, 4);
    expect(received.map((positioned) => positioned.event.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(open).toHaveBeenCalledTimes(2);
    expect(open.mock.calls[1]).toEqual(['$ce-Order', { fromRevision: 1n, resolveLinkTos: true }]);
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ source: '$ce-Order', after: '2' }), 'subscription dropped; resubscribing');
    expect(dropped.unsubscribe).toHaveBeenCalled();
  });

  it('resubscribes when the subscription ends without being closed (server shut down the call)', async () => {
    const { open } = fakeSubscriptions(new FakeReadable<ResolvedEvent>([entry(0)], 'end'), new FakeReadable<ResolvedEvent>([entry(1)]));
    const log = logger();
    const received = await take(storeWith(open, log).subscribe({ to: { kind: 'category', category: 'Order' } }), 2);
    expect(received.map((positioned) => positioned.checkpoint)).toEqual([1n, 2n]);
    expect(log.warn).toHaveBeenCalledWith(expect.anything(), 'subscription ended unexpectedly; resubscribing');
  });

  it('backs off more after each failed attempt and starts over after an event gets through', async () => {
    const failing = () => new FakeReadable<ResolvedEvent>([], grpcError(grpcStatus.UNAVAILABLE, 'down'));
    const { open } = fakeSubscriptions(
      failing(),
      failing(),
      failing(),
      new FakeReadable<ResolvedEvent>([entry(0)], grpcError(grpcStatus.UNAVAILABLE, 'down')),
      new FakeReadable<ResolvedEvent>([entry(1)]),
    );
    const log = logger();
    await take(storeWith(open, log).subscribe({ to: { kind: 'category', category: 'Order' } }), 2);
    const ceilings = log.warn.mock.calls.map(([details]) => (details as { delayMs: number }).delayMs);
    // initial 1 ms doubling to 4 ms, jittered between half and all: attempts 0,1,2 then, after an event, 0 again.
    expect(ceilings).toHaveLength(4);
    expect(ceilings[0]).toBeLessThanOrEqual(1);
    expect(ceilings[1]).toBeGreaterThanOrEqual(1);
    expect(ceilings[2]).toBeGreaterThanOrEqual(2);
    expect(ceilings[3]).toBeLessThanOrEqual(1);
  });

  it('takes one event from the client at a time: the next is read only when the consumer asks', async () => {
    const source = new FakeReadable<ResolvedEvent>([entry(0), entry(1), entry(2), entry(3), entry(4)]);
    const { open } = fakeSubscriptions(source);
    const iterator = storeWith(open).subscribe({ to: { kind: 'category', category: 'Order' } })[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // One in hand, at most the stream's one-item buffer read ahead; the rest wait in the client.
    expect(source.taken).toBeLessThanOrEqual(2);
    await iterator.return?.();
  });

  it('stops at once when closed while waiting for live events, and unsubscribes', async () => {
    const live = new FakeReadable<ResolvedEvent>([]);
    const { open } = fakeSubscriptions(live);
    const subscription = storeWith(open).subscribe({ to: { kind: 'category', category: 'Order' } });
    setTimeout(() => void subscription.close(), 20);
    expect(await take(subscription, 1)).toEqual([]);
    expect(live.unsubscribe).toHaveBeenCalled();
  });

  it('stops at once when closed during a backoff', async () => {
    const { open } = fakeSubscriptions(new FakeReadable<ResolvedEvent>([], grpcError(grpcStatus.UNAVAILABLE, 'down')));
    const store = new EventStoreDbEventStore({ subscribeToStream: open } as unknown as EsdbClient, {
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      projectionBarrier: { timeoutMs: 0 },
    });
    const subscription = store.subscribe({ to: { kind: 'category', category: 'Order' } });
    const started = Date.now();
    setTimeout(() => void subscription.close(), 30);
    expect(await take(subscription, 1)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(open).toHaveBeenCalledTimes(1);
  });
});

describe('$all subscription over the client’s subscribeToAll', () => {
  it('excludes system events on the server, resumes from the commit position, and skips our checkpoint streams', async () => {
    const first = new FakeReadable<AllStreamResolvedEvent>(
      [
        resolvedAll(recorded({ streamId: 'Order-1', revision: 0, position: 500 })),
        resolvedAll(recorded({ streamId: 'SubscriptionCheckpoint-pm', revision: 0, position: 600 })),
      ],
      grpcError(grpcStatus.UNAVAILABLE, 'reset'),
    );
    const second = new FakeReadable<AllStreamResolvedEvent>([resolvedAll(recorded({ streamId: 'Order-2', revision: 0, position: 700 }))]);
    const { open } = fakeSubscriptions(first, second);
    const store = new EventStoreDbEventStore({ subscribeToAll: open } as unknown as EsdbClient, {
      backoff: { initialMs: 1, maxMs: 1 },
      projectionBarrier: { timeoutMs: 0 },
    });
    const received = await take(store.subscribe({ to: { kind: 'all' }, after: 400n }), 2);
    expect(received.map((positioned) => positioned.checkpoint)).toEqual([500n, 700n]);
    expect(open.mock.calls[0]).toEqual([{ fromPosition: { commit: 400n, prepare: 400n }, filter: excludeSystemEvents() }]);
    // Resumes after the checkpoint stream's event too: it was seen, just not delivered.
    expect(open.mock.calls[1]).toEqual([{ fromPosition: { commit: 600n, prepare: 600n }, filter: excludeSystemEvents() }]);
  });
});
