import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from '@grpc/grpc-js';
import { linkProposal, jsonProposal, metastreamOf, type WireLog } from './wire-log';
import { resolve, type Resolved } from './streams-service';
import type {
  sharedPb} from './wire-messages';
import {
  fillRecordedEvent,
  groupDroppedError,
  groupExistsError,
  groupMissingError,
  parseUuid,
  persistentPb,
  rpcError,
  streamName,
} from './wire-messages';

/**
 * Persistent subscriptions (consumer groups) to a stream, ported from
 * src/KurrentDB.Core/Services/PersistentSubscription/PersistentSubscription.cs and its gRPC face
 * (src/KurrentDB.Core/Services/Transport/Grpc/PersistentSubscriptions.*.cs). Only what the adapter
 * uses: groups on one stream (`$ce-<Category>`), the Pinned strategy, ack, nack (park/retry/skip),
 * message timeouts, retry counts, parking, the group's checkpoint, GetInfo, ReplayParked.
 *
 * Simplified: Pinned assigns a stream to member `hash % members` (the server keeps 1024 buckets
 * that move only as members come and go); the group's state is not written to its checkpoint stream
 * (it lives as long as this double); `$all` groups are not served.
 */

interface Settings {
  resolveLinks: boolean;
  startFrom: number | 'end';
  messageTimeoutMs: number;
  maxRetryCount: number;
  minCheckpointCount: number;
  maxCheckpointCount: number;
  checkpointAfterMs: number;
  strategy: string;
  maxSubscriberCount: number;
  liveBufferSize: number;
  readBatchSize: number;
  historyBufferSize: number;
  extraStatistics: boolean;
}

interface Message {
  readonly resolved: Resolved;
  /** The id the member acknowledges: the link's if the event came through one (`event.link?.id ?? event.event?.id` in the client). */
  readonly id: string;
  /** The source stream's revision (the server's sequence number), undefined for a replayed parked message. */
  readonly sequence: number | undefined;
  readonly retryCount: number;
}

interface Member {
  readonly call: ServerDuplexStream<persistentPb.ReadReq, persistentPb.ReadResp>;
  readonly bufferSize: number;
  readonly inFlight: Set<string>;
  readonly connectionName: string;
  delivered: number;
}

const maxUInt64 = '18446744073709551615';

const hashOf = (text: string): number => {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return Math.abs(hash);
};

const settingsOf = (settings: persistentPb.CreateReq.Settings | persistentPb.UpdateReq.Settings, startFrom: number | 'end'): Settings => ({
  resolveLinks: settings.getResolveLinks(),
  startFrom,
  messageTimeoutMs: settings.getMessageTimeoutMs(),
  maxRetryCount: settings.getMaxRetryCount(),
  minCheckpointCount: settings.getMinCheckpointCount(),
  maxCheckpointCount: settings.getMaxCheckpointCount(),
  checkpointAfterMs: settings.hasCheckpointAfterMs() ? settings.getCheckpointAfterMs() : Number(BigInt(settings.getCheckpointAfterTicks() || '0') / 10_000n),
  strategy: ['DispatchToSingle', 'RoundRobin', 'Pinned'][settings.getNamedConsumerStrategy()] ?? 'RoundRobin',
  maxSubscriberCount: settings.getMaxSubscriberCount(),
  liveBufferSize: settings.getLiveBufferSize(),
  readBatchSize: settings.getReadBatchSize(),
  historyBufferSize: settings.getHistoryBufferSize(),
  extraStatistics: settings.getExtraStatistics(),
});

/** The parked-message stream: `$persistentsubscription-<stream>::<group>-parked` (PersistentSubscriptionParams). */
export const parkedStreamOf = (stream: string, group: string): string => `$persistentsubscription-${stream}::${group}-parked`;

class Group {
  readonly parkedStream: string;
  private next: number;
  private readonly retries: Message[] = [];
  private readonly outstanding = new Map<string, { message: Message; member: Member; expires: number }>();
  private readonly members: Member[] = [];
  private lastPushed = -1;
  private lastCheckpointed: number;
  private lastCheckpointTime = Date.now();
  /** `lastCheckpointedEventPosition` of GetInfo: the revision saved last, if any. */
  checkpointedRevision: number | undefined;
  private roundRobin = 0;

  constructor(
    private readonly log: WireLog,
    readonly stream: string,
    readonly name: string,
    public settings: Settings,
  ) {
    this.parkedStream = parkedStreamOf(stream, name);
    this.next = settings.startFrom === 'end' ? log.lastRevision(stream) + 1 : settings.startFrom;
    this.lastCheckpointed = this.next - 1;
  }

  get memberCount(): number {
    return this.members.length;
  }

  join(member: Member): void {
    this.members.push(member);
    this.push();
  }

  /** A member gone (its call ended or its connection dropped): its messages in flight are retried, each counting a retry (RemoveClientByCorrelationId → RetryMessage). */
  leave(member: Member): void {
    const index = this.members.indexOf(member);
    if (index < 0) return;
    this.members.splice(index, 1);
    const lost = [...this.outstanding.values()].filter((entry) => entry.member === member).sort((a, b) => (a.message.sequence ?? -1) - (b.message.sequence ?? -1));
    for (const entry of lost) this.retry(entry.message);
    this.push();
  }

  /** Update: the server stops the group and starts it again from its checkpoint (members dropped, retry counts gone). */
  restart(settings: Settings): void {
    this.settings = settings;
    for (const member of [...this.members]) {
      this.members.splice(this.members.indexOf(member), 1);
      member.call.emit('error', groupDroppedError(this.stream, this.name));
    }
    this.outstanding.clear();
    this.retries.length = 0;
    this.next = (this.checkpointedRevision ?? this.lastCheckpointed) + 1;
  }

  ack(ids: readonly string[]): void {
    for (const id of ids) this.finish(id);
    this.tryMarkCheckpoint(false);
    this.push();
  }

  /** NotAcknowledgeMessagesProcessed / HandleNackedMessage. */
  nack(ids: readonly string[], action: persistentPb.ReadReq.Nack.Action, reason: string): void {
    for (const id of ids) {
      const entry = this.outstanding.get(id);
      if (entry === undefined) continue;
      switch (action) {
        case persistentPb.ReadReq.Nack.Action.PARK:
          this.park(entry.message, `Client explicitly NAK'ed message.\n${reason}`);
          this.finish(id);
          break;
        case persistentPb.ReadReq.Nack.Action.RETRY:
        case persistentPb.ReadReq.Nack.Action.UNKNOWN:
          this.finish(id);
          if (!this.parkedForRetries(entry.message)) this.retry(entry.message);
          break;
        case persistentPb.ReadReq.Nack.Action.STOP:
          // StopSubscription is a TODO in the server: nothing happens, the message stays in flight.
          break;
        default:
          this.finish(id);
      }
    }
    this.tryMarkCheckpoint(false);
    this.push();
  }

  /** NotifyClockTick: messages past their timeout are retried, or parked after `maxRetryCount` retries. */
  tick(now: number): void {
    for (const [id, entry] of [...this.outstanding]) {
      if (entry.expires > now) continue;
      this.finish(id);
      if (!this.parkedForRetries(entry.message)) this.retry(entry.message);
    }
    this.tryMarkCheckpoint(true);
    this.push();
  }

  /** New events in the group's stream. */
  wake(): void {
    this.push();
  }

  parkedCount(): number {
    return this.log.existsForRead(this.parkedStream) ? this.log.visible(this.parkedStream).length : 0;
  }

  /**
   * RetryParkedMessages: entries of the parked stream before `stopAt` (exclusive) go to the retry buffer as
   * replayed messages, and the parked stream is truncated before them (`$tb`, BeginMarkParkedMessagesReprocessed).
   * Done at once here, so "a replay already in progress" (answered OK and ignored by the server) cannot be seen.
   */
  replayParked(stopAt: number | undefined): void {
    if (!this.log.existsForRead(this.parkedStream)) return;
    const entries = this.log.visible(this.parkedStream);
    const last = entries[entries.length - 1];
    if (last === undefined) return;
    const stop = stopAt === undefined ? last.revision + 1 : Math.min(stopAt, last.revision + 1);
    for (const entry of entries) {
      if (entry.revision >= stop) break;
      const resolved = resolve(this.log, entry, true);
      if (resolved.event === undefined) continue;
      this.retries.push({ resolved, id: entry.id, sequence: undefined, retryCount: 0 });
    }
    const meta = this.log.metadata(this.parkedStream);
    const truncateBefore = Math.max(meta.truncateBefore ?? 0, stop);
    this.log.appendSystem(metastreamOf(this.parkedStream), [jsonProposal('$metadata', { $tb: truncateBefore })]);
    this.push();
  }

  private finish(id: string): void {
    const entry = this.outstanding.get(id);
    if (entry === undefined) return;
    this.outstanding.delete(id);
    entry.member.inFlight.delete(id);
  }

  /** ActionTakenForRetriedMessage: at `maxRetryCount` retries the message is parked instead. */
  private parkedForRetries(message: Message): boolean {
    if (message.retryCount < this.settings.maxRetryCount) return false;
    this.park(message, `Reached retry count of ${this.settings.maxRetryCount}`);
    return true;
  }

  /** RetryMessage: back to the retry buffer with its retry count + 1 (OutstandingMessage.ForRetriedEvent). */
  private retry(message: Message): void {
    const retried = { ...message, retryCount: message.retryCount + 1 };
    const at = this.retries.findIndex((queued) => (queued.sequence ?? -1) > (retried.sequence ?? -1));
    if (at < 0) this.retries.push(retried);
    else this.retries.splice(at, 0, retried);
  }

  /**
   * PersistentSubscriptionMessageParker.BeginParkMessage: a `$>` link to the resolved event (or the
   * link's own data when it did not resolve), metadata `{ added, reason, subscriptionEventNumber }`.
   */
  private park(message: Message, reason: string): void {
    const { event, link } = message.resolved;
    const target = event !== undefined ? `${event.revision}@${event.stream}` : Buffer.from(link!.data).toString('utf8');
    const original = link ?? event!;
    this.log.appendSystem(this.parkedStream, [linkProposal(target, { added: new Date().toISOString(), reason, subscriptionEventNumber: original.revision })]);
  }

  /** Pinned: the member that owns the event's stream; RoundRobin/DispatchToSingle: the next with room. */
  private memberFor(message: Message): Member | undefined {
    if (this.members.length === 0) return undefined;
    if (this.settings.strategy === 'Pinned') {
      const source = message.resolved.event?.stream ?? message.resolved.link!.stream;
      const member = this.members[hashOf(source) % this.members.length]!;
      return member.inFlight.size < member.bufferSize ? member : undefined;
    }
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[(this.roundRobin + i) % this.members.length]!;
      if (member.inFlight.size < member.bufferSize) {
        this.roundRobin = (this.roundRobin + i + 1) % this.members.length;
        return member;
      }
    }
    return undefined;
  }

  /** TryPushingMessagesToClients: retries first, then the stream from where the group has read; stops at the first member without room. */
  private push(): void {
    while (this.retries.length > 0) {
      const message = this.retries[0]!;
      if (!this.send(message)) return;
      this.retries.shift();
    }
    while (this.next <= this.log.lastRevision(this.stream)) {
      const record = this.log.recordAt(this.stream, this.next);
      if (record === undefined) {
        this.next++;
        continue;
      }
      const resolved = resolve(this.log, record, this.settings.resolveLinks);
      const message: Message = { resolved, id: record.id, sequence: record.revision, retryCount: 0 };
      if (!this.send(message)) return;
      this.lastPushed = record.revision;
      this.next++;
    }
  }

  private send(message: Message): boolean {
    const member = this.memberFor(message);
    if (member === undefined) return false;
    member.inFlight.add(message.id);
    member.delivered++;
    this.outstanding.set(message.id, { message, member, expires: Date.now() + this.settings.messageTimeoutMs });
    member.call.write(new persistentPb.ReadResp().setEvent(readEvent(message)));
    return true;
  }

  /** TryMarkCheckpoint: the lowest message not yet done, less one; else the last one pushed. */
  private tryMarkCheckpoint(isTimeCheck: boolean): void {
    let lowest = Number.MAX_SAFE_INTEGER;
    for (const { message } of this.outstanding.values()) if (message.sequence !== undefined) lowest = Math.min(lowest, message.sequence);
    for (const message of this.retries) if (message.sequence !== undefined) lowest = Math.min(lowest, message.sequence);
    const candidate = lowest === Number.MAX_SAFE_INTEGER ? this.lastPushed : lowest - 1;
    if (candidate < 0) return;
    const difference = candidate - this.lastCheckpointed;
    const now = Date.now();
    if (now - this.lastCheckpointTime < this.settings.checkpointAfterMs && difference < this.settings.maxCheckpointCount) return;
    if ((difference >= this.settings.minCheckpointCount && isTimeCheck) || difference >= this.settings.maxCheckpointCount) {
      this.lastCheckpointTime = now;
      this.lastCheckpointed = candidate;
      this.checkpointedRevision = candidate;
    }
  }

  info(): persistentPb.SubscriptionInfo {
    const { settings } = this;
    const info = new persistentPb.SubscriptionInfo();
    info.setEventSource(this.stream);
    info.setGroupName(this.name);
    info.setStatus('Live');
    info.setLastCheckpointedEventPosition(this.checkpointedRevision === undefined ? '' : String(this.checkpointedRevision));
    info.setLastKnownEventPosition(this.lastPushed < 0 ? '' : String(this.lastPushed));
    info.setResolveLinkTos(settings.resolveLinks);
    info.setStartFrom(settings.startFrom === 'end' ? '-1' : String(settings.startFrom));
    info.setMessageTimeoutMilliseconds(settings.messageTimeoutMs);
    info.setExtraStatistics(settings.extraStatistics);
    info.setMaxRetryCount(settings.maxRetryCount);
    info.setLiveBufferSize(settings.liveBufferSize);
    info.setBufferSize(settings.historyBufferSize);
    info.setReadBatchSize(settings.readBatchSize);
    info.setCheckPointAfterMilliseconds(settings.checkpointAfterMs);
    info.setMinCheckPointCount(settings.minCheckpointCount);
    info.setMaxCheckPointCount(settings.maxCheckpointCount);
    info.setNamedConsumerStrategy(settings.strategy);
    info.setMaxSubscriberCount(settings.maxSubscriberCount);
    info.setRetryBufferCount(this.retries.length);
    info.setTotalInFlightMessages(this.outstanding.size);
    info.setOutstandingMessagesCount(this.outstanding.size);
    info.setParkedMessageCount(String(this.parkedCount()));
    info.setTotalItems('0');
    info.setCountSinceLastMeasurement('0');
    info.setLiveBufferCount('0');
    info.setConnectionsList(
      this.members.map((member) => {
        const connection = new persistentPb.SubscriptionInfo.ConnectionInfo();
        connection.setFrom('127.0.0.1');
        connection.setUsername('');
        connection.setAverageItemsPerSecond(0);
        connection.setTotalItems(String(member.delivered));
        connection.setCountSinceLastMeasurement('0');
        connection.setAvailableSlots(member.bufferSize - member.inFlight.size);
        connection.setInFlightMessages(member.inFlight.size);
        connection.setConnectionName(member.connectionName);
        return connection;
      }),
    );
    return info;
  }
}

/**
 * PersistentSubscriptions.Read.cs `ConvertToReadEvent`: link and event are both sent with the
 * ORIGINAL position (the link's, for a resolved `$ce-` entry), and that position as `commit_position`;
 * the retry count rides along.
 */
const readEvent = ({ resolved: { event, link }, retryCount }: Message): persistentPb.ReadResp.ReadEvent => {
  const original = (link ?? event)!;
  const message = new persistentPb.ReadResp.ReadEvent();
  if (event !== undefined) message.setEvent(fillRecordedEvent(new persistentPb.ReadResp.ReadEvent.RecordedEvent(), event, original.position));
  if (link !== undefined) message.setLink(fillRecordedEvent(new persistentPb.ReadResp.ReadEvent.RecordedEvent(), link, original.position));
  message.setCommitPosition(String(original.position));
  message.setRetryCount(retryCount);
  return message;
};

type StreamOptioned = {
  getStreamIdentifier(): sharedPb.StreamIdentifier | undefined;
  hasStream?(): boolean;
  getStream?(): { getStreamIdentifier(): sharedPb.StreamIdentifier | undefined } | undefined;
};
const sourceOf = (options: StreamOptioned): string =>
  options.hasStream?.() ? streamName(options.getStream!()!.getStreamIdentifier()) : streamName(options.getStreamIdentifier());

const startOf = (options: persistentPb.CreateReq.Options | persistentPb.UpdateReq.Options): number | 'end' => {
  const source = options.hasStream() ? options.getStream()! : undefined;
  if (source?.hasEnd()) return 'end';
  if (source?.hasRevision()) return Number(source.getRevision());
  if (source?.hasStart()) return 0;
  const revision = options.getSettings()!.getRevision();
  return revision === maxUInt64 ? 'end' : Number(revision || '0');
};

export class PersistentGroups {
  private readonly groups = new Map<string, Group>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly log: WireLog) {
    this.unsubscribe = log.onCommit((records) => {
      const streams = new Set(records.map((record) => record.stream));
      for (const group of this.groups.values()) if (streams.has(group.stream)) group.wake();
    });
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const group of this.groups.values()) group.tick(now);
    }, 100);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }

  group(stream: string, name: string): Group | undefined {
    return this.groups.get(`${stream}::${name}`);
  }

  service() {
    return {
      create: (call: ServerUnaryCall<persistentPb.CreateReq, persistentPb.CreateResp>, callback: sendUnaryData<persistentPb.CreateResp>) => {
        const options = call.request.getOptions()!;
        if (options.hasAll()) return callback(rpcError(status.UNIMPLEMENTED, 'groups on $all are not served by the wire test double'));
        const stream = sourceOf(options);
        const name = options.getGroupName();
        const key = `${stream}::${name}`;
        if (this.groups.has(key)) return callback(groupExistsError(stream, name));
        this.groups.set(key, new Group(this.log, stream, name, settingsOf(options.getSettings()!, startOf(options))));
        callback(null, new persistentPb.CreateResp());
      },
      update: (call: ServerUnaryCall<persistentPb.UpdateReq, persistentPb.UpdateResp>, callback: sendUnaryData<persistentPb.UpdateResp>) => {
        const options = call.request.getOptions()!;
        const stream = sourceOf(options);
        const group = this.group(stream, options.getGroupName());
        if (group === undefined) return callback(groupMissingError(stream, options.getGroupName()));
        group.restart(settingsOf(options.getSettings()!, startOf(options)));
        callback(null, new persistentPb.UpdateResp());
      },
      delete: (call: ServerUnaryCall<persistentPb.DeleteReq, persistentPb.DeleteResp>, callback: sendUnaryData<persistentPb.DeleteResp>) => {
        const options = call.request.getOptions()!;
        const stream = streamName(options.getStreamIdentifier());
        const group = this.group(stream, options.getGroupName());
        if (group === undefined) return callback(groupMissingError(stream, options.getGroupName()));
        group.restart(group.settings);
        this.groups.delete(`${stream}::${options.getGroupName()}`);
        callback(null, new persistentPb.DeleteResp());
      },
      read: (call: ServerDuplexStream<persistentPb.ReadReq, persistentPb.ReadResp>) => {
        let member: Member | undefined;
        let group: Group | undefined;
        const leave = () => {
          if (member !== undefined) group?.leave(member);
          member = undefined;
        };
        call.on('data', (request: persistentPb.ReadReq) => {
          if (request.hasOptions()) {
            const options = request.getOptions()!;
            const stream = streamName(options.getStreamIdentifier());
            group = this.group(stream, options.getGroupName());
            if (group === undefined) {
              call.emit('error', groupMissingError(stream, options.getGroupName()));
              return;
            }
            member = {
              call,
              bufferSize: Math.max(1, options.getBufferSize()),
              inFlight: new Set(),
              connectionName: String(call.metadata.get('connection-name')[0] ?? ''),
              delivered: 0,
            };
            call.write(new persistentPb.ReadResp().setSubscriptionConfirmation(new persistentPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(`${stream}::${group.name}`)));
            group.join(member);
            return;
          }
          if (group === undefined) return;
          if (request.hasAck()) group.ack(request.getAck()!.getIdsList().map(parseUuid));
          else if (request.hasNack()) {
            const nack = request.getNack()!;
            group.nack(nack.getIdsList().map(parseUuid), nack.getAction(), nack.getReason());
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
      getInfo: (call: ServerUnaryCall<persistentPb.GetInfoReq, persistentPb.GetInfoResp>, callback: sendUnaryData<persistentPb.GetInfoResp>) => {
        const options = call.request.getOptions()!;
        const stream = streamName(options.getStreamIdentifier());
        const group = this.group(stream, options.getGroupName());
        if (group === undefined) return callback(groupMissingError(stream, options.getGroupName()));
        callback(null, new persistentPb.GetInfoResp().setSubscriptionInfo(group.info()));
      },
      replayParked: (call: ServerUnaryCall<persistentPb.ReplayParkedReq, persistentPb.ReplayParkedResp>, callback: sendUnaryData<persistentPb.ReplayParkedResp>) => {
        const options = call.request.getOptions()!;
        const stream = streamName(options.getStreamIdentifier());
        const group = this.group(stream, options.getGroupName());
        if (group === undefined) return callback(groupMissingError(stream, options.getGroupName()));
        group.replayParked(options.hasStopAt() ? Number(options.getStopAt()) : undefined);
        callback(null, new persistentPb.ReplayParkedResp());
      },
      list: (_call: unknown, callback: sendUnaryData<never>) => callback(rpcError(status.UNIMPLEMENTED, 'List is not served by the wire test double')),
      restartSubsystem: (_call: unknown, callback: sendUnaryData<never>) =>
        callback(rpcError(status.UNIMPLEMENTED, 'RestartSubsystem is not served by the wire test double')),
    };
  }
}

export type { Group };
