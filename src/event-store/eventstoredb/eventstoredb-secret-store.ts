import { BACKWARDS, END, jsonEvent, NO_STREAM, StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from '@eventstore/db-client';
import type { SecretStore } from '../event-store.port';
import type { EsdbClient } from './client';
import { toStoreError } from './error-mapping';
import { secretStreamPrefix } from './resolved-event';
import { leftCleanly } from './left-cleanly';

export const secretEventType = 'SecretKept';

/** `StoredSecret-<key>`: a user stream left out of every read of the log, like checkpoints and snapshots. */
export const secretStream = (key: string): string => `${secretStreamPrefix}${key}`;

interface SecretData {
  readonly value: string;
}

const isSecretData = (data: unknown): data is SecretData => typeof (data as Partial<SecretData> | undefined)?.value === 'string';

/**
 * Secrets in EventStoreDB: a stream per key, its first event holding the value. Keeping is an append
 * that expects no stream, so of two instances keeping one key at once the first wins and both answer
 * its value. Erasing soft-deletes the stream: reads find nothing at once, and the next scavenge
 * removes the event from disk.
 */
export class EventStoreDbSecretStore implements SecretStore {
  constructor(private readonly client: Pick<EsdbClient, 'appendToStream' | 'readStream' | 'deleteStream'>) {}

  async keep(key: string, value: string): Promise<string> {
    const event = () => jsonEvent({ type: secretEventType, data: { value } satisfies SecretData });
    try {
      await this.client.appendToStream(secretStream(key), event(), { expectedRevision: NO_STREAM });
      return value;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw toStoreError(error);
    }
    const kept = await this.read(key);
    if (kept !== undefined) return kept;
    // The stream exists but reads empty: an earlier value was erased (soft-deleted). Appending recreates it.
    try {
      await this.client.appendToStream(secretStream(key), event());
      return value;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async read(key: string): Promise<string | undefined> {
    try {
      for await (const resolved of leftCleanly(this.client.readStream(secretStream(key), { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))) {
        const data = resolved.event?.data;
        if (resolved.event?.type === secretEventType && isSecretData(data)) return data.value;
      }
      return undefined;
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return undefined;
      throw toStoreError(error);
    }
  }

  async erase(key: string): Promise<void> {
    try {
      await this.client.deleteStream(secretStream(key));
    } catch (error) {
      // A key that holds nothing (never kept, or erased already): there is nothing to forget.
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError || error instanceof WrongExpectedVersionError) return;
      throw toStoreError(error);
    }
  }
}
