import { join } from 'node:path';
import type { Config } from '../shared/config';
import type { EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export const eventStoreFile = (dataDir: string): string => join(dataDir, 'events.sqlite');

export const createEventStore = async (config: Config): Promise<EventStore> => {
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return SqliteEventStore.open({ filename: eventStoreFile(config.DATA_DIR), synchronous: config.SQLITE_SYNCHRONOUS });
    case 'memory':
      return SqliteEventStore.open({ filename: ':memory:' });
    case 'eventstoredb':
      throw new Error('EVENT_STORE=eventstoredb: the EventStoreDB adapter is not part of this build yet');
    default: {
      const unknownStore: never = config.EVENT_STORE;
      throw new Error(`unknown event store ${String(unknownStore)}`);
    }
  }
};
