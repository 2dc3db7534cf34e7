import { StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import { EventStoreUnavailable } from '../../errors';
import type { RecordedEvent } from '../../event-store.port';
import type { EsdbParkedClient } from '../client';
import { toStoreError } from '../error-mapping';
import { linkEventType, toRecordedEvent } from '../resolved-event';
import { leftCleanly } from '../left-cleanly';

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

export interface ReplayConfirmation {
  /** How long a replay may take to start before the request is answered as unavailable. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
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
 * The dead letters of the consumer-group mode: what a `PersistentProcessManagerConsumer` parked. The
 * server keeps them as link events in the group's parked stream; `replay` makes the server deliver
 * them to the group again (before new events), after the cause is fixed. Unlike the SQLite
 * dead-letter table there is no per-message replay: the server replays a parked stream from its
 * start (`stopAt`, exclusive, ends it early), then truncates the stream before what it replayed.
 */
export class ParkedMessages {
  constructor(
    private readonly client: EsdbParkedClient,
    private readonly confirm: ReplayConfirmation = {},
  ) {}

  async list(stream: string, group: string, maxCount = 1000): Promise<ParkedMessage[]> {
    const parked: ParkedMessage[] = [];
    try {
      for await (const resolved of leftCleanly(this.client.readStream(parkedStream(stream, group), { maxCount, resolveLinkTos: true }))) {
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

  /**
   * Replays the parked entries before `stopAt` (a parked revision, exclusive), or all of them. The
   * server answers OK and does nothing while another replay of the group runs or the group is not
   * live (KurrentDB `PersistentSubscription.RetryParkedMessages` returns early in both cases), so
   * with `stopAt` this waits until the server has truncated the parked stream past the last entry
   * asked for, as it does once it has read them for redelivery; if it has not within the time,
   * `EventStoreUnavailable`: try again.
   */
  async replay(stream: string, group: string, stopAt?: number): Promise<void> {
    try {
      await this.client.replayParkedMessagesToStream(stream, group, stopAt === undefined ? {} : { stopAt: BigInt(stopAt) });
      if (stopAt !== undefined && stopAt > 0) await this.replayed(stream, group, stopAt - 1);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private async replayed(stream: string, group: string, last: number): Promise<void> {
    const timeoutMs = this.confirm.timeoutMs ?? 5000;
    const sleep = this.confirm.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = Date.now() + timeoutMs;
    while (await this.stillParked(stream, group, last)) {
      if (Date.now() >= deadline) {
        throw new EventStoreUnavailable(`the server did not start replaying ${group}'s parked events within ${timeoutMs} ms (a replay still running, or the group not live yet); try again`);
      }
      await sleep(this.confirm.pollMs ?? 100);
    }
  }

  /** Whether the parked stream still shows entry `revision`: the server truncates before what it replayed. */
  private async stillParked(stream: string, group: string, revision: number): Promise<boolean> {
    try {
      for await (const resolved of leftCleanly(this.client.readStream(parkedStream(stream, group), { fromRevision: BigInt(revision), maxCount: 1 }))) {
        return (resolved.link ?? resolved.event)?.revision === BigInt(revision);
      }
      return false;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return false;
      throw error;
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
      for await (const next of leftCleanly(this.client.readStream(target.stream, { fromRevision: target.revision, maxCount: 1, resolveLinkTos: true }))) {
        return await this.resolve(next, depth + 1);
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }
}
