import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../event-store.port';
import { describeEventStoreContract } from '../testing/event-store-contract';
import { SqliteEventStore } from './sqlite-event-store';

const dataDir = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeEventStoreContract('sqlite file', {
  open: async () => SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite') }),
  durable: {
    reopen: async (store: EventStore) => {
      await store.close();
      return SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite') });
    },
    childEnvironment: () => ({ EVENT_STORE: 'sqlite', DATA_DIR: dataDir }),
  },
});

describeEventStoreContract('sqlite :memory: (EVENT_STORE=memory)', {
  open: async () => SqliteEventStore.open({ filename: ':memory:' }),
});
