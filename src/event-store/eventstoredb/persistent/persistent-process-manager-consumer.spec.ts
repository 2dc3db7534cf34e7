import {
  PARK,
  persistentSubscriptionToStreamSettingsFromDefaults,
  PINNED,
  START,
  type PersistentSubscriptionToStreamResolvedEvent,
  type PersistentSubscriptionToStreamSettings,
} from '@eventstore/db-client';
import type { RecordedEvent } from '../../event-store.port';
import type { EsdbPersistentClient } from '../client';
import { deliveredLink, FakePersistentSubscription, grpcError, grpcStatus, recorded } from '../testing/client-fakes';
import { PersistentProcessManagerConsumer } from './persistent-process-manager-consumer';
import type { ProcessManager } from '../../consumer-groups.port';
import { eventually } from '../../../shared/testing/eventually';


let linkRevision = 0;
const delivered = (stream: string, type = 'OrderPlaced', data: unknown = {}, retryCount = 0): PersistentSubscriptionToStreamResolvedEvent => ({
  ...deliveredLink('$ce-Order', linkRevision, recorded({ streamId: stream, revision: linkRevision, position: 100 + linkRevision++, type, data })),
  retryCount,
});

const idOf = (resolved: PersistentSubscriptionToStreamResolvedEvent) => resolved.link!.id;

/** The client's persistent-subscription calls, faked: each join hands out the next prepared subscription. */
const fakeClient = (...subscriptions: FakePersistentSubscription[]) => {
  const joined: FakePersistentSubscription[] = [];
  let group: PersistentSubscriptionToStreamSettings | undefined;
  const client = {
    createPersistentSubscriptionToStream: jest.fn(async (_stream: string, _group: string, settings: PersistentSubscriptionToStreamSettings) => {
      if (group !== undefined) throw grpcError(grpcStatus.ALREADY_EXISTS, 'exists', { exception: 'persistent-subscription-exists' });
      group = settings;
    }),
    getPersistentSubscriptionToStreamInfo: jest.fn(async () => ({ settings: group! })),
    updatePersistentSubscriptionToStream: jest.fn(async (_stream: string, _group: string, settings: PersistentSubscriptionToStreamSettings) => {
      group = settings;
    }),
    subscribeToPersistentSubscriptionToStream: jest.fn(() => {
      const next = subscriptions.shift() ?? new FakePersistentSubscription();
      joined.push(next);
      return next;
    }),
  };
  return { client, joined, asClient: client as unknown as EsdbPersistentClient };
};

const handlerOf = (handle: (event: RecordedEvent) => Promise<void>, eventTypes = ['OrderPlaced']): ProcessManager => ({
  name: 'payments-on-orders',
  category: 'Order',
  eventTypes,
  handle,
});

describe('process manager as a member of an EventStoreDB consumer group', () => {
  it('creates the group on $ce-<Category> (links resolved, Pinned by source stream) and joins it', async () => {
    const { client, asClient } = fakeClient(new FakePersistentSubscription());
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined), { startFrom: 42n });
    await consumer.start();
    await eventually(() => expect(client.subscribeToPersistentSubscriptionToStream).toHaveBeenCalled());
    expect(client.createPersistentSubscriptionToStream).toHaveBeenCalledWith(
      '$ce-Order',
      'payments-on-orders',
      expect.objectContaining({ resolveLinkTos: true, consumerStrategyName: PINNED, startFrom: 42n }),
    );
    expect(client.subscribeToPersistentSubscriptionToStream).toHaveBeenCalledWith('$ce-Order', 'payments-on-orders', { bufferSize: 16 });
    await consumer.stop();
  });

  it('updates a group an older version made when a setting it chooses differs, keeping where the group starts, and only then', async () => {
    const { client, asClient } = fakeClient(new FakePersistentSubscription(), new FakePersistentSubscription(), new FakePersistentSubscription());
    const join = async (options: ConstructorParameters<typeof PersistentProcessManagerConsumer>[2]) => {
      const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined), options);
      const joins = client.subscribeToPersistentSubscriptionToStream.mock.calls.length;
      await consumer.start();
      await eventually(() => expect(client.subscribeToPersistentSubscriptionToStream).toHaveBeenCalledTimes(joins + 1));
      await consumer.stop();
    };
    await join({ startFrom: 42n, messageTimeoutMs: 10_000 });
    expect(client.updatePersistentSubscriptionToStream).not.toHaveBeenCalled();
    await join({ startFrom: 7n, messageTimeoutMs: 45_000 });
    expect(client.updatePersistentSubscriptionToStream).toHaveBeenCalledTimes(1);
    expect(client.updatePersistentSubscriptionToStream).toHaveBeenCalledWith(
      '$ce-Order',
      'payments-on-orders',
      expect.objectContaining({ messageTimeout: 45_000, startFrom: 42n, consumerStrategyName: PINNED }),
    );
    await join({ startFrom: 7n, messageTimeoutMs: 45_000 });
    expect(client.updatePersistentSubscriptionToStream).toHaveBeenCalledTimes(1);
  });

  it('acks what it handled and what it does not act on', async () => {
    const subscription = new FakePersistentSubscription();
    const { asClient } = fakeClient(subscription);
    const seen: string[] = [];
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async (event) => void seen.push(event.streamName)));
    const placed = delivered('Order-1');
    const other = delivered('Order-1', 'OrderShipped');
    subscription.add(placed, other);
    await consumer.start();
    await eventually(() => expect(subscription.acks).toEqual([idOf(placed), idOf(other)]));
    expect(seen).toEqual(['Order-1']);
    expect(consumer.status()).toMatchObject({ handled: 1, ignored: 1, parked: 0 });
    await consumer.stop();
  });

  it("hands the handler the event's own position, not the link's that the server stamps on both", async () => {
    const subscription = new FakePersistentSubscription();
    const { asClient } = fakeClient(subscription);
    const positions: bigint[] = [];
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async (event) => void positions.push(event.position)));
    const placed = delivered('Order-1');
    expect(placed.event!.position).toEqual(placed.link!.position);
    subscription.add(placed);
    await consumer.start();
    await eventually(() => expect(positions).toHaveLength(1));
    expect(positions[0]).toBe(BigInt((placed.link!.metadata as { $c: number }).$c));
    expect(positions[0]).toBeLessThan(placed.link!.position!.commit);
    await consumer.stop();
  });

  it('retries a failing handler, then parks the event (the dead letter) with the error as reason, and carries on', async () => {
    const subscription = new FakePersistentSubscription();
    const { asClient } = fakeClient(subscription);
    let attempts = 0;
    const consumer = new PersistentProcessManagerConsumer(
      asClient,
      handlerOf(async (event) => {
        if (event.streamName === 'Order-bad') {
          attempts++;
          throw new Error('gateway down');
        }
      }),
      { retries: 3, sleep: async () => undefined },
    );
    const bad = delivered('Order-bad');
    const good = delivered('Order-good');
    subscription.add(bad, good);
    await consumer.start();
    await eventually(() => expect(subscription.nacks).toEqual([{ action: PARK, reason: 'gateway down', id: idOf(bad) }]));
    await eventually(() => expect(subscription.acks).toEqual([idOf(good)]));
    expect(attempts).toBe(4);
    expect(consumer.status()).toMatchObject({ retries: 3, parked: 1, handled: 1 });
    await consumer.stop();
  });

  it('handles one stream in order while another stream goes ahead', async () => {
    const subscription = new FakePersistentSubscription();
    const { asClient } = fakeClient(subscription);
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const consumer = new PersistentProcessManagerConsumer(
      asClient,
      handlerOf(async (event) => {
        const { n } = event.data as { n: number };
        if (event.streamName === 'Order-slow' && n === 0) await slow;
        handled.push(`${event.streamName}:${n}`);
      }),
    );
    subscription.add(
      delivered('Order-slow', 'OrderPlaced', { n: 0 }),
      delivered('Order-slow', 'OrderPlaced', { n: 1 }),
      delivered('Order-fast', 'OrderPlaced', { n: 0 }),
    );
    await consumer.start();
    await eventually(() => expect(handled).toEqual(['Order-fast:0']));
    release();
    await eventually(() => expect(handled).toEqual(['Order-fast:0', 'Order-slow:0', 'Order-slow:1']));
    await consumer.stop();
  });

  it('joins again with backoff when the subscription drops, without creating the group twice', async () => {
    const first = new FakePersistentSubscription();
    const second = new FakePersistentSubscription();
    const { client, asClient } = fakeClient(first, second);
    const warn = jest.fn();
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined), {
      backoff: { initialMs: 1, maxMs: 2 },
      logger: { warn, error: jest.fn() },
    });
    await consumer.start();
    first.add(delivered('Order-1'));
    await eventually(() => expect(first.acks).toHaveLength(1));
    first.fail(grpcError(grpcStatus.UNAVAILABLE, 'connection reset'));
    const later = delivered('Order-2');
    second.add(later);
    await eventually(() => expect(second.acks).toEqual([idOf(later)]));
    expect(client.subscribeToPersistentSubscriptionToStream).toHaveBeenCalledTimes(2);
    expect(client.createPersistentSubscriptionToStream).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ group: 'payments-on-orders' }), 'persistent subscription dropped; joining again');
    await consumer.stop();
  });

  it('treats an existing group as joined (another instance created it)', async () => {
    const subscription = new FakePersistentSubscription();
    const { client, asClient } = fakeClient(subscription);
    await client.createPersistentSubscriptionToStream('$ce-Order', 'payments-on-orders', persistentSubscriptionToStreamSettingsFromDefaults());
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined));
    await consumer.start();
    const placed = delivered('Order-1');
    subscription.add(placed);
    await eventually(() => expect(subscription.acks).toEqual([idOf(placed)]));
    await consumer.stop();
  });

  it('on stop, finishes and acks the events in hand before leaving the group, and takes no more', async () => {
    const subscription = new FakePersistentSubscription();
    const { asClient } = fakeClient(subscription);
    let release!: () => void;
    const inHand = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const consumer = new PersistentProcessManagerConsumer(
      asClient,
      handlerOf(async () => {
        started++;
        await inHand;
      }),
      { maxInFlight: 1 },
    );
    const first = delivered('Order-1');
    subscription.add(first, delivered('Order-2'));
    await consumer.start();
    await eventually(() => expect(started).toBe(1));
    const stopping = consumer.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(subscription.unsubscribe).not.toHaveBeenCalled();
    release();
    await stopping;
    expect(subscription.acks).toEqual([idOf(first)]);
    expect(started).toBe(1);
    expect(subscription.unsubscribe).toHaveBeenCalled();
  });

  it('on stop, aborts the waits of the handlers in hand and of a retry, and neither acks nor parks what it cut off', async () => {
    const subscription = new FakePersistentSubscription();
    const { asClient } = fakeClient(subscription);
    let waiting = 0;
    let failures = 0;
    const consumer = new PersistentProcessManagerConsumer(
      asClient,
      {
        ...handlerOf(async () => undefined),
        async handle(event, context) {
          if (event.streamName === 'Order-failing') {
            failures++;
            throw new Error('downstream is down');
          }
          waiting++;
          await new Promise((_resolve, reject) => context?.signal.addEventListener('abort', () => reject(new Error('aborted'))));
        },
      },
      { baseDelayMs: 60_000 },
    );
    subscription.add(delivered('Order-1'), delivered('Order-2'), delivered('Order-failing'));
    await consumer.start();
    await eventually(() => expect({ waiting, failures }).toEqual({ waiting: 2, failures: 1 }));
    await consumer.stop();
    expect(subscription.acks).toEqual([]);
    expect(subscription.nacks).toEqual([]);
    expect(failures).toBe(1);
    expect(consumer.status()).toMatchObject({ handled: 0, parked: 0 });
  });

  it('is joined once the server confirms it, and not while it joins again after a drop', async () => {
    const first = new FakePersistentSubscription();
    const second = new FakePersistentSubscription();
    const { asClient } = fakeClient(first, second);
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined), { backoff: { initialMs: 1, maxMs: 2 } });
    await consumer.start();
    await eventually(() => expect(first.listenerCount('confirmation')).toBe(1));
    expect(consumer.joined).toBe(false);
    first.confirm();
    expect(consumer.status()).toMatchObject({ joined: true });
    first.fail(grpcError(grpcStatus.UNAVAILABLE, 'connection reset'));
    await eventually(() => expect(second.listenerCount('confirmation')).toBe(1));
    expect(consumer.joined).toBe(false);
    second.confirm();
    expect(consumer.joined).toBe(true);
    await consumer.stop();
    expect(consumer.joined).toBe(false);
  });

  it('asks where a new group starts only when it creates the group, and saves its position after every event', async () => {
    const { client, asClient } = fakeClient(new FakePersistentSubscription());
    const startFrom = jest.fn(async () => 7n);
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined), { startFrom });
    await consumer.start();
    await eventually(() => expect(client.subscribeToPersistentSubscriptionToStream).toHaveBeenCalled());
    expect(startFrom).toHaveBeenCalledTimes(1);
    expect(client.createPersistentSubscriptionToStream).toHaveBeenCalledWith(
      '$ce-Order',
      'payments-on-orders',
      expect.objectContaining({ startFrom: 7n, checkPointLowerBound: 1 }),
    );
    await consumer.stop();
  });

  it('starts a new group from the start unless told where the catch-up mode left off', async () => {
    const { client, asClient } = fakeClient(new FakePersistentSubscription());
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined));
    await consumer.start();
    await eventually(() => expect(client.createPersistentSubscriptionToStream).toHaveBeenCalled());
    expect(client.createPersistentSubscriptionToStream).toHaveBeenCalledWith('$ce-Order', 'payments-on-orders', expect.objectContaining({ startFrom: START }));
    await consumer.stop();
  });

  it('stopped while it is still creating the group, it does not join the group afterwards, and stops', async () => {
    const { client, asClient } = fakeClient(new FakePersistentSubscription());
    let created: () => void = () => undefined;
    client.createPersistentSubscriptionToStream.mockImplementationOnce(() => new Promise<void>((resolve) => (created = resolve)));
    const consumer = new PersistentProcessManagerConsumer(asClient, handlerOf(async () => undefined));
    await consumer.start();
    await eventually(() => expect(client.createPersistentSubscriptionToStream).toHaveBeenCalled());
    const stopped = consumer.stop();
    created();
    await stopped;
    expect(client.subscribeToPersistentSubscriptionToStream).not.toHaveBeenCalled();
  });

  it('lets the store wait for an event as long as the handler may hold it on purpose before re-sending it', async () => {
    const { client, asClient } = fakeClient(new FakePersistentSubscription());
    const consumer = new PersistentProcessManagerConsumer(asClient, { ...handlerOf(async () => undefined), maxHoldMs: 120_000 });
    await consumer.start();
    await eventually(() => expect(client.createPersistentSubscriptionToStream).toHaveBeenCalled());
    expect(client.createPersistentSubscriptionToStream).toHaveBeenCalledWith(
      '$ce-Order',
      'payments-on-orders',
      expect.objectContaining({ messageTimeout: 150_000 }),
    );
    await consumer.stop();
  });
});
