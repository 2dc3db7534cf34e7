import type { SecretStore } from '../event-store.port';
import { newPersonalDataKey } from './personal-data-cipher';
import type { PersonalDataKeys, SubjectKey } from './personal-data-keys.port';

const keyName = (subject: string) => `personal-data-key:${subject}`;
const erasureName = (subject: string) => `personal-data-erased:${subject}`;

/**
 * Keys in the store's secret store, for EventStoreDB: a bookkeeping stream per key, which no read of
 * events shows, shared by every instance (the first key kept for a subject wins a race). Destroying
 * one soft-deletes its stream: its bytes leave the server's files at the next scavenge
 * (docs/PERSONAL_DATA.md says to run one after erasures).
 */
export class SecretStorePersonalDataKeys implements PersonalDataKeys {
  constructor(private readonly secrets: SecretStore) {}

  async find(subject: string): Promise<SubjectKey> {
    const [key, erased] = await Promise.all([this.secrets.read(keyName(subject)), this.secrets.read(erasureName(subject))]);
    return { key: key === undefined ? undefined : Buffer.from(key, 'base64'), erased: erased !== undefined };
  }

  async obtain(subject: string): Promise<Buffer> {
    return Buffer.from(await this.secrets.keep(keyName(subject), newPersonalDataKey().toString('base64')), 'base64');
  }

  async destroy(subject: string): Promise<void> {
    await this.secrets.keep(erasureName(subject), new Date().toISOString());
    await this.secrets.erase(keyName(subject));
  }

  async close(): Promise<void> {}
}
