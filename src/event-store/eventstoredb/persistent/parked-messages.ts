import { StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../../event-store.port';
import type { EsdbParkedClient } from '../client';
import { toStoreError } from '../error-mapping';
import { linkEventType, toRecordedEvent } from '../resolved-event';

/** The server's stream of a group's parked messages: `$persistentsubscription-<stream>::<group>-parked`. */
export const parkedStream = (stream: string, group: string): string => `$persistentsubscription-${stream}::${group}-parked`;

export interface ParkedMessage {
  /** The parked entry's revision in the parked stream. */
  readonly parkedRevision: number;
  readonly parkedAt: Date;
  /** The nack's reason, or the server's own (a message that timed out too often). */
  readonly reason: string;
  /** The event, if it can still be read. */
  readonly event?: RecordedEvent;
}

/** The server prefixes the reason a client gives when it nacks with `park`. */
const nackPrefix = "Client explicitly NAK'ed message.\n";

/** The server writes `{ added, reason, subscriptionEventNumber }` as the parked link's metadata. */
export const parkedReason = (metadata: unknown): string => {
  const fields = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const reason = fields.reason ?? fields.Reason;
  if (typeof reason !== 'string') return 'parked';
  return reason.startsWith(nackPrefix) ? reason.slice(nackPrefix.length) : reason;
};

/** A link's data is `<revision>@<stream>`. */
export const parseLink = (data: unknown): { stream: string; revision: bigint } | undefined => {
  const text = data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : typeof data === 'string' ? data : undefined;
  const match = text === undefined ? null : /^(\d+)@(.+)$/.exec(text);
  return match === null ? undefined : { revision: BigInt(match[1]!), stream: match[2]! };
};

/**
 * The dead letters of the consumer-group mode: what a `PersistentReactionConsumer` parked. The
 * server keeps them as link events in the group's parked stream; `replay` makes the server deliver
 * them to the group again (before new events), after the cause is fixed. Unlike the SQLite
 * dead-letter table there is no per-message replay: the server replays a parked stream from its
 * start (`stopAt`, exclusive, ends it early), then truncates the stream before what it replayed.
 */
export class ParkedMessages {
  constructor(private readonly client: EsdbParkedClient) {}

  async list(stream: string, group: string, maxCount = 1000): Promise<ParkedMessage[]> {
    const parked: ParkedMessage[] = [];
    try {
      for await (const resolved of this.client.readStream(parkedStream(stream, group), { maxCount, resolveLinkTos: true })) {
        const entry = resolved.link ?? resolved.event;
        if (entry === undefined) continue;
        parked.push({
          parkedRevision: Number(entry.revision),
          parkedAt: entry.created,
          reason: parkedReason(entry.metadata),
          ...(await this.resolve(resolved).then((event) => (event === undefined ? {} : { event }))),
        });
      }
      return parked;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toStoreError(error);
    }
  }

  /** Replays the parked entries before `stopAt` (a parked revision, exclusive), or all of them. */
  async replay(stream: string, group: string, stopAt?: number): Promise<void> {
    try {
      await this.client.replayParkedMessagesToStream(stream, group, stopAt === undefined ? {} : { stopAt: BigInt(stopAt) });
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /**
   * The server's parked link points at the event it resolved (`<revision>@Order-1`); had it not
   * resolved the delivered `$ce-` link, it points at that link, which is followed once more.
   */
  private async resolve(resolved: ResolvedEvent, depth = 0): Promise<RecordedEvent | undefined> {
    const event = resolved.event;
    if (event === undefined) return undefined;
    if (event.type !== linkEventType) return toRecordedEvent(event);
    const target = parseLink(event.data);
    if (target === undefined || depth >= 2) return undefined;
    try {
      for await (const next of this.client.readStream(target.stream, { fromRevision: target.revision, maxCount: 1, resolveLinkTos: true })) {
        return await this.resolve(next, depth + 1);
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }
}
