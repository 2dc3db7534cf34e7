import type { EventStore } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { describeEventStoreContract } from '../../src/event-store/testing/event-store-contract';
import { WireServer } from './wire-server';

/** The store contract suite through the real `@eventstore/db-client`, over a socket, against the wire-level double. */
const server = new WireServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const connect = () => EventStoreDbEventStore.connect(server.connectionString, { connectTimeoutMs: 5000 });

describeEventStoreContract('eventstoredb (wire-level double)', {
  open: connect,
  uniqueEventIdsAcrossStreams: false,
  durable: {
    reopen: async (store: EventStore) => {
      await store.close();
      return connect();
    },
    childEnvironment: () => ({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: server.connectionString }),
  },
});
