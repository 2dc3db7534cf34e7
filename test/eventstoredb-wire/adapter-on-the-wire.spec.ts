import { v7 as uuid } from 'uuid';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { uniqueCategory } from '../../src/event-store/testing/event-store-contract';
import { eventually } from '../../src/shared/testing/eventually';
import { WireServer } from './wire-server';

/** What the contract suite does not reach: closing after reads left early, and a consumer group end to end, through the real client on a socket. */
let server: WireServer;
beforeAll(async () => {
  server = await WireServer.start();
});
afterAll(() => server.stop());

const newEvent = (type = 'Happened', data: unknown = { n: 0 }) => ({ id: uuid(), type, data });
const warnings: string[] = [];
const logger = { warn: (_details: object, message: string) => void warnings.push(message), error: () => undefined };
const connect = () =>
  EventStoreDbEventStore.connect(server.connectionString, {
    connectTimeoutMs: 5000,
    logger,
    backoff: { initialMs: 20, maxMs: 200 },
    consumerGroups: { messageTimeoutMs: 2000, backoff: { initialMs: 20, maxMs: 200 } },
  });

beforeEach(() => {
  warnings.length = 0;
});

it('closes at once after reads it left midway (a snapshot, a secret, a checkpoint: the server had sent everything)', async () => {
  const store = await connect();
  const stream = `${uniqueCategory()}-1`;
  await store.append(stream, [newEvent()], 'no_stream');
  await store.snapshots.save(stream, { revision: 0, version: 1, state: {} });
  await store.snapshots.load(stream);
  await store.secrets.keep(`key-${uuid()}`, 'value');
  await store.checkpoints.save('closing-test', 5n);
  await store.checkpoints.load('closing-test');
  const started = Date.now();
  await store.close();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(warnings).not.toContain('EventStoreDB client still had streams open after the wait; closed without them');
});

it('hands a consumer group each event once with its own position, parks what keeps failing, and replays it on request', async () => {
  const store = await connect();
  const category = uniqueCategory();
  const handled: RecordedEvent[] = [];
  const groups = store.consumerGroups(
    [
      {
        name: `${category}-group`,
        category,
        eventTypes: ['Placed'],
        handle: async (event) => {
          if ((event.data as { fail?: boolean }).fail === true && !handled.some((seen) => seen.id === event.id)) {
            handled.push(event);
            throw new Error('not this time');
          }
          handled.push(event);
        },
      },
    ],
    { retries: 0, baseDelayMs: 1 },
  );
  await groups.start();
  await store.append(`${category}-1`, [newEvent('Placed', { n: 1 })], 'no_stream');
  const failing = await store.append(`${category}-2`, [newEvent('Placed', { n: 2, fail: true })], 'no_stream');
  await store.append(`${category}-3`, [newEvent('Placed', { n: 3 })], 'no_stream');
  await eventually(async () => expect(await groups.parked()).toHaveLength(1), 10_000);
  const [parked] = await groups.parked();
  expect(parked!.event?.position).toBe(failing.position);
  // The handler got each event's own position, not that of the $ce- link that delivered it.
  const [first] = await store.readStream(`${category}-1`);
  expect(handled.find((event) => event.streamName === `${category}-1`)?.position).toBe(first!.position);
  expect(await groups.replayParked(parked!.group, parked!.parkedRevision)).toBe(true);
  await eventually(() => expect(handled.filter((event) => event.streamName === `${category}-2`)).toHaveLength(2), 10_000);
  await eventually(async () => expect(await groups.parked()).toHaveLength(0));
  expect(handled.map((event) => event.streamName).sort()).toEqual([`${category}-1`, `${category}-2`, `${category}-2`, `${category}-3`]);
  await groups.stop();
  await store.close();
}, 30_000);
