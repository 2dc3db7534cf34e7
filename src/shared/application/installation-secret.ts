import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../../event-store/event-store.port';

const key = 'installation';

/**
 * The installation's secret: 32 random bytes made on first use and kept with the data (in the
 * store's secrets), so it outlives restarts and every instance on one store shares it, while another
 * installation has its own. Ids derived from what clients send are keyed with it.
 */
export class InstallationSecret {
  private loading: Promise<Buffer> | undefined;

  constructor(private readonly secrets: SecretStore) {}

  get(): Promise<Buffer> {
    this.loading ??= this.secrets.keep(key, randomBytes(32).toString('base64url')).then(
      (value) => Buffer.from(value, 'base64url'),
      (error: unknown) => {
        this.loading = undefined; // a store that did not answer is asked again next time
        throw error;
      },
    );
    return this.loading;
  }
}
