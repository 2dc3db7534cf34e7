import type { EventStore } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { describeEventStoreContract } from '../../src/event-store/testing/event-store-contract';
import { WireServer } from './wire-server';

/**
 * The store contract suite, through the real `@eventstore/db-client`, against the wire-level test
 * double of the server (this process's own, on a random port). Reopen and the SIGKILL crash test
 * reconnect to the same double, which outlives the store, as a server outlives its clients.
 */
let server: WireServer;
beforeAll(async () => {
  server = await WireServer.start();
});
afterAll(async () => {
  await server.stop();
});

describeEventStoreContract('eventstoredb-wire', {
  open: () => EventStoreDbEventStore.connect(server.connectionString),
  uniqueEventIdsAcrossStreams: false,
  durable: {
    reopen: async (store: EventStore) => {
      await store.close();
      return EventStoreDbEventStore.connect(server.connectionString);
    },
    childEnvironment: () => ({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: server.connectionString }),
  },
});
