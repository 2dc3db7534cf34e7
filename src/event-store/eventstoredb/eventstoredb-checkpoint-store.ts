import { BACKWARDS, END, jsonEvent, StreamNotFoundError } from '@eventstore/db-client';
import type { CheckpointStore } from '../event-store.port';
import type { EsdbClient } from './client';
import { toStoreError } from './error-mapping';
import { checkpointStreamPrefix } from './resolved-event';
import { leftCleanly } from './left-cleanly';

export const checkpointEventType = 'SubscriptionCheckpointStored';

/** `SubscriptionCheckpoint-<name>`: a user stream (no `$`, so no admin ACL is needed), category `SubscriptionCheckpoint`. */
export const checkpointStream = (name: string): string => `${checkpointStreamPrefix}${name}`;

interface CheckpointData {
  readonly checkpoint: string;
}

/**
 * Subscription checkpoints in EventStoreDB: one stream per subscriber, whose newest event holds the
 * checkpoint (a bigint, as a decimal string in JSON). The stream's `$maxCount` is 1, set once per
 * stream before its first checkpoint, so the server keeps only the newest (older ones become
 * invisible at once and are removed by a scavenge).
 *
 * These are the process managers' checkpoints. Read models do not use them: they keep theirs in the
 * same SQLite transaction as their rows (DATA_DIR), on this store as on the embedded one.
 */
export class EventStoreDbCheckpointStore implements CheckpointStore {
  private readonly limited = new Set<string>();

  constructor(private readonly client: Pick<EsdbClient, 'appendToStream' | 'readStream' | 'setStreamMetadata'>) {}

  async load(name: string): Promise<bigint | undefined> {
    try {
      for await (const resolved of leftCleanly(this.client.readStream(checkpointStream(name), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      }))) {
        const data = resolved.event?.data as Partial<CheckpointData> | undefined;
        if (resolved.event?.type === checkpointEventType && typeof data?.checkpoint === 'string') return BigInt(data.checkpoint);
      }
      return undefined;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw toStoreError(error);
    }
  }

  async save(name: string, checkpoint: bigint): Promise<void> {
    const stream = checkpointStream(name);
    try {
      if (!this.limited.has(stream)) {
        await this.client.setStreamMetadata(stream, { maxCount: 1 });
        this.limited.add(stream);
      }
      await this.client.appendToStream(
        stream,
        jsonEvent({ type: checkpointEventType, data: { checkpoint: checkpoint.toString() } satisfies CheckpointData }),
      );
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
