import type { EventStore } from '../event-store.port';
import { describeEventStoreContract } from '../testing/event-store-contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * The contract suite against a real EventStoreDB, when one is reachable:
 *   EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false npx jest src/event-store/eventstoredb
 * (`docker compose up eventstoredb` starts one with the system projections on). Without it this
 * leg is skipped, and says so.
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString === undefined || connectionString === '') {
  const reason = 'EventStoreDB leg skipped: EVENTSTORE_CONNECTION_STRING is not set';
  console.log(reason);
  describe('event store contract: eventstoredb', () => {
    it.skip(reason, () => undefined);
  });
} else {
  describeEventStoreContract('eventstoredb', {
    open: () => EventStoreDbEventStore.connect(connectionString),
    uniqueEventIdsAcrossStreams: false,
    durable: {
      reopen: async (store: EventStore) => {
        await store.close();
        return EventStoreDbEventStore.connect(connectionString);
      },
      childEnvironment: () => ({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString }),
    },
  });
}
