import { status as grpcStatus, type ServerDuplexStream, type sendUnaryData } from '@grpc/grpc-js';
import * as persistent from '@eventstore/db-client/generated/persistent_pb';
import { expectedAny, type WireLog, type WireRecord } from './wire-log';
import { fillRecordedEvent, type Resolved, resolveRecord, rpcError, streamNameOf, uuidString } from './wire-messages';

/**
 * Persistent subscriptions (consumer groups) to a stream, ported from KurrentDB
 * `PersistentSubscription.cs` (src/EventStore.Core/Services/PersistentSubscription/) and
 * `PersistentSubscriptions.*.cs` (its gRPC service). Kept: one buffer of messages per group in
 * stream order, the Pinned and round-robin strategies, outstanding messages with a timeout, retry
 * counts, parking, acks and nacks, the checkpoint statistic, replaying parked messages, and the
 * group's settings. Left out: `$all` groups, filters, history/live buffer sizes and paging, stats
 * other than those read here, authorization.
 */

interface Settings {
  readonly resolveLinks: boolean;
  /** The revision of the stream the group starts at; -1 for "the end at creation". */
  readonly startFrom: number;
  readonly messageTimeoutMs: number;
  readonly maxRetryCount: number;
  readonly checkPointAfterMs: number;
  readonly minCheckPointCount: number;
  readonly maxCheckPointCount: number;
  readonly strategy: string;
}

interface Message {
  /** The id acked and nacked: the original event's (the link's for a resolved link). */
  readonly id: string;
  readonly record: WireRecord;
  /** The revision in the group's stream (the sequence a checkpoint names); undefined for a replayed parked message. */
  readonly revision: number | undefined;
  retryCount: number;
}

interface Member {
  readonly call: ServerDuplexStream<persistent.ReadReq, persistent.ReadResp>;
  readonly bufferSize: number;
  readonly inFlight: Map<string, { readonly message: Message; readonly expires: number }>;
}

const strategyNames: Record<number, string> = {
  [persistent.CreateReq.ConsumerStrategy.DISPATCHTOSINGLE]: 'DispatchToSingle',
  [persistent.CreateReq.ConsumerStrategy.ROUNDROBIN]: 'RoundRobin',
  [persistent.CreateReq.ConsumerStrategy.PINNED]: 'Pinned',
};

const endRevision = '18446744073709551615';

const settingsOf = (raw: persistent.CreateReq.Settings | persistent.UpdateReq.Settings, startFrom: number): Settings => ({
  resolveLinks: raw.getResolveLinks(),
  startFrom,
  messageTimeoutMs: raw.getMessageTimeoutMs(),
  maxRetryCount: raw.getMaxRetryCount(),
  checkPointAfterMs: raw.getCheckpointAfterMs(),
  minCheckPointCount: raw.getMinCheckpointCount(),
  maxCheckPointCount: raw.getMaxCheckpointCount(),
  strategy: ('getConsumerStrategy' in raw ? raw.getConsumerStrategy() : '') || strategyNames[raw.getNamedConsumerStrategy()] || 'RoundRobin',
});

/** A stable hash of a stream name, as Pinned buckets by the resolved event's stream (`PinnedPersistentSubscriptionConsumerStrategy`). */
const bucketOf = (stream: string, buckets: number): number => {
  let hash = 0;
  for (let index = 0; index < stream.length; index++) hash = (hash * 31 + stream.charCodeAt(index)) | 0;
  return Math.abs(hash) % buckets;
};

export const parkedStreamOf = (stream: string, group: string): string => `$persistentsubscription-${stream}::${group}-parked`;

class Group {
  private readonly members: Member[] = [];
  /** Messages to push: retries first (`StreamBuffer.AddRetry`), then the stream from `nextRevision`. */
  private readonly retries: Message[] = [];
  private nextRevision: number;
  /** The revision up to which every message is acked or parked: what a checkpoint may name. */
  private lastCheckpointed: number | undefined;
  private lastCheckpointAt = Date.now();
  /** The lowest revision not yet acked or parked. */
  private lowestUndone: number;
  private replaying = false;
  private roundRobin = 0;
  private readonly done = new Set<number>();

  constructor(
    private readonly log: WireLog,
    readonly stream: string,
    readonly name: string,
    public settings: Settings,
  ) {
    this.nextRevision = settings.startFrom >= 0 ? settings.startFrom : log.lastRevision(stream) + 1;
    this.lowestUndone = this.nextRevision;
  }

  get parkedStream(): string {
    return parkedStreamOf(this.stream, this.name);
  }

  join(member: Member): void {
    this.members.push(member);
    this.push();
  }

  /**
   * A member leaves (its call ended or was cancelled): what it had not acked is retried with its
   * count raised, without the park check (`RemoveClientByCorrelationId` → `RetryMessage`).
   */
  leave(member: Member): void {
    const index = this.members.indexOf(member);
    if (index < 0) return;
    this.members.splice(index, 1);
    const lost = [...member.inFlight.values()].map(({ message }) => message).sort((a, b) => (a.revision ?? -1) - (b.revision ?? -1));
    member.inFlight.clear();
    for (const message of lost) this.retry(message);
    this.push();
  }

  /** Drops every member (an update restarts the group on the server). */
  restart(error: Error): void {
    for (const member of [...this.members]) {
      this.leave(member);
      member.call.emit('error', error);
    }
  }

  ack(member: Member, ids: readonly string[]): void {
    for (const id of ids) {
      const entry = member.inFlight.get(id);
      if (entry === undefined) continue;
      member.inFlight.delete(id);
      this.finish(entry.message);
    }
    this.push();
  }

  /** `HandleNackedMessage`: park, retry (parked once past the retry count), skip; stop does nothing. */
  nack(member: Member, ids: readonly string[], action: persistent.ReadReq.Nack.Action, reason: string): void {
    for (const id of ids) {
      const entry = member.inFlight.get(id);
      if (entry === undefined) continue;
      member.inFlight.delete(id);
      if (action === persistent.ReadReq.Nack.Action.PARK) this.park(entry.message, `Client explicitly NAK'ed message.\n${reason}`);
      else if (action === persistent.ReadReq.Nack.Action.RETRY || action === persistent.ReadReq.Nack.Action.UNKNOWN) this.retryOrPark(entry.message);
      else if (action === persistent.ReadReq.Nack.Action.SKIP) this.finish(entry.message);
    }
    this.push();
  }

  /** `NotifyClockTick`: messages past their timeout are retried, or parked past the retry count; a checkpoint may be due. */
  tick(now: number): void {
    for (const member of this.members) {
      for (const [id, entry] of member.inFlight) {
        if (entry.expires > now) continue;
        member.inFlight.delete(id);
        this.retryOrPark(entry.message);
      }
    }
    this.checkpoint(true);
    this.push();
  }

  /**
   * `RetryParkedMessages`: nothing while another replay runs; else the parked entries before
   * `stopAt` go to the retry buffer and the parked stream is truncated before them
   * (`BeginMarkParkedMessagesReprocessed`). The reading takes a moment on the server; here, one turn.
   */
  replayParked(stopAt: number | undefined): void {
    if (this.replaying) return;
    this.replaying = true;
    setImmediate(() => {
      const parked = this.log.streamEvents(this.parkedStream);
      const end = stopAt === undefined ? this.log.lastRevision(this.parkedStream) + 1 : stopAt;
      for (const link of parked) {
        if (link.revision >= end) break;
        // The parked link points at the message's original event (for a resolved link, the `$ce-` link).
        const original = this.log.resolve(link);
        if (original !== undefined) this.retries.push({ id: original.id, record: original, revision: undefined, retryCount: 0 });
      }
      if (parked.length > 0) this.log.setMetadata(this.parkedStream, { $tb: Math.min(end, this.log.lastRevision(this.parkedStream) + 1) });
      this.replaying = false;
      this.push();
    });
  }

  info(): persistent.SubscriptionInfo {
    const settings = this.settings;
    const inFlight = this.members.reduce((total, member) => total + member.inFlight.size, 0);
    return new persistent.SubscriptionInfo()
      .setEventSource(this.stream)
      .setGroupName(this.name)
      .setStatus('Live')
      .setConnectionsList(
        this.members.map((member) =>
          new persistent.SubscriptionInfo.ConnectionInfo()
            .setFrom('127.0.0.1')
            .setUsername('')
            .setTotalItems('0')
            .setCountSinceLastMeasurement('0')
            .setAvailableSlots(member.bufferSize - member.inFlight.size)
            .setInFlightMessages(member.inFlight.size)
            .setConnectionName(''),
        ),
      )
      .setTotalItems('0')
      .setCountSinceLastMeasurement('0')
      .setLastCheckpointedEventPosition(this.lastCheckpointed === undefined ? '' : String(this.lastCheckpointed))
      .setLastKnownEventPosition(String(this.log.lastRevision(this.stream)))
      .setResolveLinkTos(settings.resolveLinks)
      .setStartFrom(settings.startFrom >= 0 ? String(settings.startFrom) : '-1')
      .setMessageTimeoutMilliseconds(settings.messageTimeoutMs)
      .setMaxRetryCount(settings.maxRetryCount)
      .setCheckPointAfterMilliseconds(settings.checkPointAfterMs)
      .setMinCheckPointCount(settings.minCheckPointCount)
      .setMaxCheckPointCount(settings.maxCheckPointCount)
      .setNamedConsumerStrategy(settings.strategy)
      .setTotalInFlightMessages(inFlight)
      .setOutstandingMessagesCount(inFlight)
      .setRetryBufferCount(this.retries.length)
      .setLiveBufferCount('0')
      .setParkedMessageCount(String(this.log.streamEvents(this.parkedStream).length));
  }

  /** Hands out messages while members have room (`TryPushingMessagesToClients`). */
  push(): void {
    if (this.members.length === 0) return;
    for (;;) {
      const message = this.peek();
      if (message === undefined) return;
      const member = this.memberFor(message);
      if (member === undefined) return;
      this.take(message);
      member.inFlight.set(message.id, { message, expires: Date.now() + this.settings.messageTimeoutMs });
      member.call.write(new persistent.ReadResp().setEvent(this.readEvent(message)));
    }
  }

  private peek(): Message | undefined {
    const retry = this.retries[0];
    if (retry !== undefined) return retry;
    const record = this.log.eventAt(this.stream, this.nextRevision);
    return record === undefined ? undefined : { id: record.id, record, revision: record.revision, retryCount: 0 };
  }

  private take(message: Message): void {
    if (this.retries[0] === message) this.retries.shift();
    else this.nextRevision++;
  }

  /** Pinned: the member of the resolved event's stream bucket, if it has room (else the message waits); round robin: the next with room. */
  private memberFor(message: Message): Member | undefined {
    const hasRoom = (member: Member) => member.inFlight.size < member.bufferSize;
    if (this.settings.strategy === 'Pinned') {
      const resolved = this.resolved(message);
      const member = this.members[bucketOf((resolved.event ?? message.record).stream, this.members.length)]!;
      return hasRoom(member) ? member : undefined;
    }
    for (let tries = 0; tries < this.members.length; tries++) {
      const member = this.members[this.roundRobin++ % this.members.length]!;
      if (hasRoom(member)) return member;
    }
    return undefined;
  }

  private resolved(message: Message): Resolved {
    return resolveRecord(this.log, message.record, this.settings.resolveLinks);
  }

  /**
   * KurrentDB `PersistentSubscriptions.Read.cs`, `ConvertToReadEvent`: event and link both carry the
   * ORIGINAL position (the link's, for a resolved link), and the retry count.
   */
  private readEvent(message: Message): persistent.ReadResp.ReadEvent {
    const { event, link, position } = this.resolved(message);
    const readEvent = new persistent.ReadResp.ReadEvent();
    if (event !== undefined) readEvent.setEvent(fillRecordedEvent(new persistent.ReadResp.ReadEvent.RecordedEvent(), event, position));
    if (link !== undefined) readEvent.setLink(fillRecordedEvent(new persistent.ReadResp.ReadEvent.RecordedEvent(), link, position));
    readEvent.setCommitPosition(position.toString());
    readEvent.setRetryCount(message.retryCount);
    return readEvent;
  }

  /** `RetryMessage`: back to the retry buffer with its count raised. */
  private retry(message: Message): void {
    message.retryCount++;
    this.retries.push(message);
  }

  /** `ActionTakenForRetriedMessage`: parked once its count has reached `maxRetryCount`, else retried. */
  private retryOrPark(message: Message): void {
    if (message.retryCount >= this.settings.maxRetryCount) this.park(message, `Reached retry count of ${this.settings.maxRetryCount}`);
    else this.retry(message);
  }

  /** `ParkMessage`: a link to the message's original event in the parked stream, with `{ added, reason, subscriptionEventNumber }`. */
  private park(message: Message, reason: string): void {
    const metadata = { added: new Date().toISOString(), reason, subscriptionEventNumber: message.revision ?? -1 };
    this.log.append(this.parkedStream, expectedAny, [
      {
        id: crypto.randomUUID(),
        type: '$>',
        data: new TextEncoder().encode(`${message.record.revision}@${message.record.stream}`),
        metadata: new TextEncoder().encode(JSON.stringify(metadata)),
        isJson: false,
      },
    ]);
    this.finish(message);
  }

  private finish(message: Message): void {
    if (message.revision === undefined) return;
    this.done.add(message.revision);
    while (this.done.delete(this.lowestUndone)) this.lowestUndone++;
    this.checkpoint(false);
  }

  /** `TryMarkCheckpoint`: after `checkPointAfter` with at least the minimum count done, or at once past the maximum. */
  private checkpoint(isTimeCheck: boolean): void {
    const last = this.lowestUndone - 1;
    if (last < 0) return;
    const difference = last - (this.lastCheckpointed ?? -1);
    const now = Date.now();
    if (now - this.lastCheckpointAt < this.settings.checkPointAfterMs && difference < this.settings.maxCheckPointCount) return;
    if ((difference >= this.settings.minCheckPointCount && isTimeCheck) || difference >= this.settings.maxCheckPointCount) {
      this.lastCheckpointed = last;
      this.lastCheckpointAt = now;
    }
  }
}

const notFound = (stream: string, group: string): Error =>
  rpcError(grpcStatus.NOT_FOUND, `Subscription group '${group}' on stream '${stream}' does not exist.`, 'persistent-subscription-does-not-exist', {
    'stream-name': stream,
    'group-name': group,
  });

export class PersistentSubscriptions {
  private readonly groups = new Map<string, Group>();
  private readonly clock: NodeJS.Timeout;

  constructor(private readonly log: WireLog) {
    // The server's clock tick (`NotifyClockTick`), every second.
    this.clock = setInterval(() => {
      const now = Date.now();
      for (const group of this.groups.values()) group.tick(now);
    }, 1000);
    this.clock.unref();
    log.on('appended', (written: readonly WireRecord[]) => {
      const streams = new Set(written.map((record) => record.stream));
      for (const group of this.groups.values()) if (streams.has(group.stream)) group.push();
    });
  }

  close(): void {
    clearInterval(this.clock);
  }

  service() {
    return {
      create: (call: { request: persistent.CreateReq }, callback: sendUnaryData<persistent.CreateResp>) => {
        const options = call.request.getOptions()!;
        const stream = options.hasStream() ? streamNameOf(options.getStream()!.getStreamIdentifier()) : streamNameOf(options.getStreamIdentifier());
        const group = options.getGroupName();
        const key = `${stream}::${group}`;
        if (this.groups.has(key)) {
          callback(
            rpcError(grpcStatus.ALREADY_EXISTS, `Subscription group ${group} on stream ${stream} exists.`, 'persistent-subscription-exists', { 'stream-name': stream, 'group-name': group }),
          );
          return;
        }
        this.groups.set(key, new Group(this.log, stream, group, settingsOf(options.getSettings()!, startFromOf(options.getStream(), options.getSettings()!.getRevision()))));
        callback(null, new persistent.CreateResp());
      },

      /** An update replaces the settings and restarts the group: its members are dropped and rejoin. */
      update: (call: { request: persistent.UpdateReq }, callback: sendUnaryData<persistent.UpdateResp>) => {
        const options = call.request.getOptions()!;
        const stream = options.hasStream() ? streamNameOf(options.getStream()!.getStreamIdentifier()) : streamNameOf(options.getStreamIdentifier());
        const group = this.groups.get(`${stream}::${options.getGroupName()}`);
        if (group === undefined) {
          callback(notFound(stream, options.getGroupName()));
          return;
        }
        group.settings = settingsOf(options.getSettings()!, startFromOf(options.getStream(), options.getSettings()!.getRevision()));
        group.restart(rpcError(grpcStatus.CANCELLED, 'Subscription group was updated.', 'persistent-subscription-dropped'));
        callback(null, new persistent.UpdateResp());
      },

      getInfo: (call: { request: persistent.GetInfoReq }, callback: sendUnaryData<persistent.GetInfoResp>) => {
        const options = call.request.getOptions()!;
        const stream = streamNameOf(options.getStreamIdentifier());
        const group = this.groups.get(`${stream}::${options.getGroupName()}`);
        if (group === undefined) callback(notFound(stream, options.getGroupName()));
        else callback(null, new persistent.GetInfoResp().setSubscriptionInfo(group.info()));
      },

      replayParked: (call: { request: persistent.ReplayParkedReq }, callback: sendUnaryData<persistent.ReplayParkedResp>) => {
        const options = call.request.getOptions()!;
        const stream = streamNameOf(options.getStreamIdentifier());
        const group = this.groups.get(`${stream}::${options.getGroupName()}`);
        if (group === undefined) {
          callback(notFound(stream, options.getGroupName()));
          return;
        }
        group.replayParked(options.hasStopAt() ? Number(options.getStopAt()) : undefined);
        callback(null, new persistent.ReplayParkedResp());
      },

      read: (call: ServerDuplexStream<persistent.ReadReq, persistent.ReadResp>) => {
        let group: Group | undefined;
        let member: Member | undefined;
        const leave = () => {
          if (group !== undefined && member !== undefined) group.leave(member);
          member = undefined;
        };
        call.on('data', (request: persistent.ReadReq) => {
          if (request.hasOptions()) {
            const options = request.getOptions()!;
            const stream = streamNameOf(options.getStreamIdentifier());
            group = this.groups.get(`${stream}::${options.getGroupName()}`);
            if (group === undefined) {
              call.emit('error', notFound(stream, options.getGroupName()));
              return;
            }
            member = { call, bufferSize: options.getBufferSize(), inFlight: new Map() };
            call.write(new persistent.ReadResp().setSubscriptionConfirmation(new persistent.ReadResp.SubscriptionConfirmation().setSubscriptionId(`${stream}::${group.name}`)));
            group.join(member);
          } else if (request.hasAck() && member !== undefined) {
            group!.ack(member, request.getAck()!.getIdsList().map(uuidString));
          } else if (request.hasNack() && member !== undefined) {
            const nack = request.getNack()!;
            group!.nack(member, nack.getIdsList().map(uuidString), nack.getAction(), nack.getReason());
          }
        });
        call.on('end', () => {
          leave();
          call.end();
        });
        call.on('cancelled', leave);
        call.on('close', leave);
        call.on('error', leave);
      },
    };
  }
}

/** Where a group starts: the stream options' revision/start/end, else the deprecated settings revision (`18446744073709551615` = the end). */
const startFromOf = (options: persistent.CreateReq.StreamOptions | persistent.UpdateReq.StreamOptions | undefined, revision: string): number => {
  if (options !== undefined) {
    if (options.hasRevision()) return Number(options.getRevision());
    if (options.hasEnd()) return -1;
    return 0;
  }
  return revision === endRevision ? -1 : Number(revision || '0');
};

