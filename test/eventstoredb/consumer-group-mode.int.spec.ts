import {
  BACKWARDS,
  PersistentSubscriptionDoesNotExistError,
  PINNED,
  StreamNotFoundError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { composeSystem, type System } from '../../src/container';
import type { EsdbClient } from '../../src/event-store/eventstoredb/client';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { parkedStream } from '../../src/event-store/eventstoredb/persistent/parked-messages';
import { FakePersistentSubscription, FakeReadable, linkTo, recorded, resolvedLink } from '../../src/event-store/eventstoredb/testing/client-fakes';
import { createApp } from '../../src/http/create-app';
import { loadConfig } from '../../src/shared/config';
import { ConsumerGroupSupervisor } from '../../src/shared/process-managers/consumer-group-supervisor';
import { eventually } from '../../src/shared/testing/eventually';
import { adminToken } from '../support/test-system';
import { processManagerNames } from '../support/process-manager-names';

/**
 * EventStoreDB as the client sees it, faked: an empty store except for the streams given, one
 * persistent subscription per join, and the server's statistics of the groups given.
 */
const fakeServer = (streams: Record<string, ResolvedEvent[]>, stats: Record<string, object>) => {
  const members = new Map<string, FakePersistentSubscription>();
  const client = {
    readStream: jest.fn((stream: string, options?: { direction?: unknown; fromRevision?: unknown }) => {
      const found = streams[stream];
      if (found === undefined) return new FakeReadable<ResolvedEvent>([], new StreamNotFoundError(undefined, stream));
      if (stream.startsWith('$ce-') && options?.direction !== BACKWARDS) return new FakeReadable<ResolvedEvent>([], 'end');
      return new FakeReadable(options?.direction === BACKWARDS ? [...found].reverse() : found, 'end');
    }),
    readAll: jest.fn(() => new FakeReadable([], 'end')),
    subscribeToStream: jest.fn(() => new FakeReadable()),
    subscribeToAll: jest.fn(() => new FakeReadable()),
    appendToStream: jest.fn(async () => {
      throw new Error('nothing should be appended here');
    }),
    setStreamMetadata: jest.fn(async () => undefined),
    dispose: jest.fn(async () => undefined),
    createPersistentSubscriptionToStream: jest.fn(async () => undefined),
    subscribeToPersistentSubscriptionToStream: jest.fn((_stream: string, group: string) => {
      const member = new FakePersistentSubscription();
      members.set(group, member);
      return member;
    }),
    getPersistentSubscriptionToStreamInfo: jest.fn(async (_stream: string, group: string) => {
      const found = stats[group];
      if (found === undefined) throw new PersistentSubscriptionDoesNotExistError(undefined as never, { streamName: _stream, groupName: group } as never);
      return { stats: found };
    }),
    replayParkedMessagesToStream: jest.fn(async () => undefined),
  };
  return { client, members, asClient: client as unknown as EsdbClient };
};

const orderPlaced = recorded({ streamId: 'Order-1', revision: 0, position: 100, type: 'OrderPlaced' });
const confirmed = recorded({ streamId: 'Order-1', revision: 1, position: 200, type: 'OrderConfirmed' });
const otherConfirmed = recorded({ streamId: 'Order-2', revision: 1, position: 400, type: 'OrderConfirmed' });
const parkedOf = (revision: number, event: ReturnType<typeof recorded>, reason: string): ResolvedEvent => ({
  link: { ...linkTo(parkedStream('$ce-Order', 'payments-on-orders'), revision, event), metadata: { reason: `Client explicitly NAK'ed message.\n${reason}` } },
  event,
});

describe('process managers on EventStoreDB: members of consumer groups', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'consumer-group-mode-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  let system: System;
  afterEach(() => system.stop());

  const compose = async (server: ReturnType<typeof fakeServer>, environment: Record<string, string> = {}) => {
    const config = {
      ...loadConfig({
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: 'esdb://fake:2113?tls=false',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...environment,
      }),
      ADMIN_TOKEN: adminToken,
    };
    const eventStore = new EventStoreDbEventStore(server.asClient, { projectionBarrier: { timeoutMs: 0 } });
    system = await composeSystem(config, { logger: pino({ level: 'silent' }), eventStore });
    const app = createApp(system);
    return {
      app,
      admin: (method: 'get' | 'post', url: string) => request(app)[method](url).set('Authorization', `Bearer ${adminToken}`),
    };
  };

  it('joins one group per process manager on its $ce- stream (links resolved, pinned by source stream) instead of running catch-up subscriptions', async () => {
    const server = fakeServer({}, {});
    await compose(server);
    expect(system.processManagers).toBeInstanceOf(ConsumerGroupSupervisor);
    await system.start();
    await eventually(() => expect([...server.members.keys()].sort()).toEqual(processManagerNames));
    expect(server.client.createPersistentSubscriptionToStream).toHaveBeenCalledWith(
      '$ce-Order',
      'payments-on-orders',
      expect.objectContaining({ resolveLinkTos: true, consumerStrategyName: PINNED }),
    );
    // The catch-up subscriptions are the read models' (each instance keeps its own copy). A catch-up runner would have
    // subscribed before start() resolved, and the count would pass the read models' at once.
    await eventually(() => expect(server.client.subscribeToStream).toHaveBeenCalledTimes(system.projections.names().length));
  });

  it('answers /ready 503 until this instance is a confirmed member of every group', async () => {
    const server = fakeServer({}, {});
    const { app } = await compose(server);
    await system.start();
    await eventually(() => expect(server.members.size).toBe(processManagerNames.length));
    const joining = await request(app).get('/ready');
    expect(joining.status).toBe(503);
    // Public /ready names what is not ready, never why (its error text stays in the log).
    expect(joining.body).toEqual({ status: 'not ready', checks: { 'event store': 'ok', subscriptions: 'not ready' } });
    for (const member of server.members.values()) member.confirm();
    expect((await request(app).get('/ready')).status).toBe(200);
  });

  it('reports each group from the server: its saved position, lag to the head of the category, parked count', async () => {
    const server = fakeServer(
      { '$ce-Order': [resolvedLink('$ce-Order', 0, orderPlaced), resolvedLink('$ce-Order', 6, confirmed)] },
      { 'payments-on-orders': { lastCheckpointedEventRevision: 4n, parkedMessageCount: 2n } },
    );
    const { admin } = await compose(server);
    await system.start();
    const { body } = await admin('get', '/api/admin/subscriptions');
    expect(body.items.map((item: { name: string }) => item.name).sort()).toEqual(processManagerNames);
    expect(body.items.find((item: { name: string }) => item.name === 'payments-on-orders')).toEqual({
      name: 'payments-on-orders',
      checkpoint: '5',
      lag: 2,
      retries: 0,
      deadLetters: 2,
    });
    // A group not created yet: nothing saved, the whole category to do.
    expect(body.items.find((item: { name: string }) => item.name === 'shipments-on-orders')).toMatchObject({ checkpoint: '0', lag: 7 });
  });

  it('refuses new orders while a group is more than MAX_SAGA_LAG events behind, writing nothing, and admits them once it caught up', async () => {
    const head = 6;
    const stats: Record<string, { lastCheckpointedEventRevision: bigint; parkedMessageCount: bigint }> = {};
    const server = fakeServer({ '$ce-Order': [resolvedLink('$ce-Order', 0, orderPlaced), resolvedLink('$ce-Order', head, confirmed)] }, stats);
    const { app, admin } = await compose(server, { MAX_SAGA_LAG: '5' });
    await system.start();
    const placeOrder = () =>
      request(app)
        .post('/api/orders')
        .send({ customerId: 'c1', items: [{ sku: 'NOPE-1', quantity: 1 }], shippingAddress: { street: 's', city: 'c', state: '', zip: '1', country: 'US' } });

    // The groups on $ce-Order were never created: the whole category (7 events) is theirs to do.
    await eventually(async () => expect((await admin('get', '/api/admin/subscriptions')).body.admission).toEqual({ refusing: true, maxLag: 7, limit: 5, refusedTotal: 0 }));
    // An unknown sku has orders' catalog catch up with the product category's head, read from `$ce-Product`.
    const catalogReads = () => server.client.readStream.mock.calls.filter(([stream]) => stream === '$ce-Product').length;
    const readsBefore = catalogReads();
    const refused = await placeOrder();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ type: '/problems/saga-behind', status: 503 });
    expect(server.client.appendToStream).not.toHaveBeenCalled();
    // Not even the catalog was asked about it: the order was refused before its body was looked at.
    expect(catalogReads()).toBe(readsBefore);

    for (const group of ['inventory-on-orders', 'payments-on-orders', 'shipments-on-orders']) {
      stats[group] = { lastCheckpointedEventRevision: BigInt(head), parkedMessageCount: 0n };
    }
    await eventually(async () => expect((await admin('get', '/api/admin/subscriptions')).body.admission).toEqual({ refusing: false, maxLag: 0, limit: 5, refusedTotal: 1 }));
    // Past admission: the catalog answers that the sku does not exist.
    const readsBeforeAdmitted = catalogReads();
    expect((await placeOrder()).status).toBe(422);
    expect(catalogReads()).toBeGreaterThan(readsBeforeAdmitted);
  });

  it('lists the parked events as dead letters, and a retry has the server replay its group’s parked events up to it', async () => {
    const server = fakeServer(
      {
        [parkedStream('$ce-Order', 'payments-on-orders')]: [parkedOf(0, confirmed, 'gateway down'), parkedOf(1, otherConfirmed, 'gateway down')],
      },
      {},
    );
    const { admin } = await compose(server);
    await system.start();
    const { body } = await admin('get', '/api/admin/dead-letters');
    expect(body.items).toEqual([
      expect.objectContaining({ id: 'payments-on-orders:0', subscription: 'payments-on-orders', eventId: confirmed.id, eventType: 'OrderConfirmed', streamName: 'Order-1', position: '200', error: 'gateway down' }),
      expect.objectContaining({ id: 'payments-on-orders:1', eventId: otherConfirmed.id, streamName: 'Order-2' }),
    ]);

    const retry = await admin('post', '/api/admin/dead-letters/payments-on-orders:1/retry');
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ id: 'payments-on-orders:1', status: 'replaying', replaying: ['payments-on-orders:0', 'payments-on-orders:1'] });
    expect(server.client.replayParkedMessagesToStream).toHaveBeenCalledWith('$ce-Order', 'payments-on-orders', { stopAt: 2n });

    expect((await admin('post', '/api/admin/dead-letters/payments-on-orders:7/retry')).status).toBe(404);
    expect((await admin('post', '/api/admin/dead-letters/12/retry')).status).toBe(404);
    expect(server.client.replayParkedMessagesToStream).toHaveBeenCalledTimes(1);
  });

  it('leaves every group on stop, before the client is closed', async () => {
    const server = fakeServer({}, {});
    await compose(server);
    await system.start();
    await eventually(() => expect(server.members.size).toBe(processManagerNames.length));
    await system.stop();
    for (const member of server.members.values()) expect(member.unsubscribe).toHaveBeenCalled();
    expect(server.client.dispose).toHaveBeenCalled();
  });
});
