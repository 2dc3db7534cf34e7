import { join } from 'node:path';
import type { Config } from '../../shared/config';
import type { EventStore } from '../event-store.port';
import type { PersonalDataKeys } from './personal-data-keys.port';
import { SecretStorePersonalDataKeys } from './secret-store-personal-data-keys';
import { SqlitePersonalDataKeys } from './sqlite-personal-data-keys';

export const personalDataKeysFile = (dataDir: string): string => join(dataDir, 'personal-data-keys.sqlite');

/** The keys of the store the system runs on: a file of their own beside the embedded store; the secret streams on EventStoreDB. */
export const createPersonalDataKeys = (config: Config, store: EventStore): PersonalDataKeys => {
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return new SqlitePersonalDataKeys(personalDataKeysFile(config.DATA_DIR));
    case 'memory':
      return new SqlitePersonalDataKeys(':memory:');
    case 'eventstoredb':
      return new SecretStorePersonalDataKeys(store.secrets);
    default: {
      const unknownStore: never = config.EVENT_STORE;
      throw new Error(`unknown event store ${String(unknownStore)}`);
    }
  }
};
