import { join } from 'node:path';
import type { Config } from '../shared/config';
import { createLogger } from '../shared/logger';
import type { EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export const eventStoreFile = (dataDir: string): string => join(dataDir, 'events.sqlite');

export const createEventStore = async (config: Config): Promise<EventStore> => {
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return SqliteEventStore.open({ filename: eventStoreFile(config.DATA_DIR), synchronous: config.SQLITE_SYNCHRONOUS });
    case 'memory':
      return SqliteEventStore.open({ filename: ':memory:' });
    case 'eventstoredb': {
      // loadConfig refuses EVENT_STORE=eventstoredb without a connection string; this repeats it for direct callers.
      if (config.EVENTSTORE_CONNECTION_STRING === undefined) throw new Error('EVENTSTORE_CONNECTION_STRING is required with EVENT_STORE=eventstoredb');
      // Required only in this mode: the gRPC client takes about 0.3 s to load, which the embedded store need not pay.
      // (A dynamic import() would need a `.js` specifier under node16 resolution, which jest cannot resolve to the .ts file.)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { EventStoreDbEventStore } = require('./eventstoredb/eventstoredb-event-store') as typeof import('./eventstoredb/eventstoredb-event-store');
      return EventStoreDbEventStore.connect(config.EVENTSTORE_CONNECTION_STRING, {
        logger: createLogger(config).child({ component: 'eventstoredb' }),
        connectTimeoutMs: 30_000,
      });
    }
    default: {
      const unknownStore: never = config.EVENT_STORE;
      throw new Error(`unknown event store ${String(unknownStore)}`);
    }
  }
};
