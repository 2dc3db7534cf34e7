import { BACKWARDS, END, jsonEvent, StreamNotFoundError } from '@eventstore/db-client';
import type { Snapshot, SnapshotStore } from '../event-store.port';
import type { EsdbClient } from './client';
import { toStoreError } from './error-mapping';
import { snapshotStreamPrefix } from './resolved-event';
import { leftCleanly } from './left-cleanly';

export const snapshotEventType = 'StreamSnapshotStored';
export const snapshotDeletedEventType = 'StreamSnapshotDeleted';

/** `StreamSnapshot-<stream>`: a user stream beside the one it describes, left out of every read of the log like checkpoints. */
export const snapshotStream = (stream: string): string => `${snapshotStreamPrefix}${stream}`;

interface SnapshotData {
  readonly revision: number;
  readonly version: number;
  readonly state: unknown;
}

const isSnapshotData = (data: unknown): data is SnapshotData => {
  const candidate = data as Partial<SnapshotData> | undefined;
  return typeof candidate?.revision === 'number' && typeof candidate.version === 'number' && 'state' in candidate;
};

/**
 * Snapshots in EventStoreDB, as its documentation suggests: a stream per snapshotted stream, read
 * backwards for its newest event. Its `$maxCount` is 1, set once before its first snapshot, so the
 * server keeps only the newest (older ones are invisible at once, removed by a scavenge). Deleting
 * appends a marker rather than deleting the stream, so the stream keeps its `$maxCount`.
 */
export class EventStoreDbSnapshotStore implements SnapshotStore {
  private readonly limited = new Set<string>();

  constructor(private readonly client: Pick<EsdbClient, 'appendToStream' | 'readStream' | 'setStreamMetadata'>) {}

  async load(stream: string): Promise<Snapshot | undefined> {
    try {
      for await (const resolved of leftCleanly(this.client.readStream(snapshotStream(stream), { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))) {
        const data = resolved.event?.data;
        if (resolved.event?.type === snapshotEventType && isSnapshotData(data)) return { revision: data.revision, version: data.version, state: data.state };
      }
      return undefined;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw toStoreError(error);
    }
  }

  async save(stream: string, { revision, version, state }: Snapshot): Promise<void> {
    await this.write(stream, snapshotEventType, { revision, version, state } satisfies SnapshotData);
  }

  async delete(stream: string): Promise<void> {
    await this.write(stream, snapshotDeletedEventType, {});
  }

  private async write(stream: string, type: string, data: object): Promise<void> {
    const target = snapshotStream(stream);
    try {
      if (!this.limited.has(target)) {
        await this.client.setStreamMetadata(target, { maxCount: 1 });
        this.limited.add(target);
      }
      await this.client.appendToStream(target, jsonEvent({ type, data: data as Record<string, unknown> }));
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
