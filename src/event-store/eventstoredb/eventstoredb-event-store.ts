import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  START,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { ConsumerGroupHost, ConsumerGroupOptions, ConsumerGroups, ReactionHandler } from '../consumer-groups.port';
import { EventStoreUnavailable, WrongExpectedVersion } from '../errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  PositionedEvent,
  ReadManyOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionTarget,
} from '../event-store.port';
import { backoffDelay, type BackoffOptions } from './backoff';
import { silentLogger, type EsdbClient, type StoreLogger } from './client';
import { withExplicitKeepAlive, type KeepAlive } from './connection-string';
import { isConnectionError, isInvalidPositionError, toStoreError } from './error-mapping';
import { scanForEvent, type EventIdIndex } from './event-id-index';
import { EventStoreDbSecretStore } from './eventstoredb-secret-store';
import { EventStoreDbSnapshotStore } from './eventstoredb-snapshot-store';
import { EventStoreDbCheckpointStore } from './eventstoredb-checkpoint-store';
import { linkCheckpointAt } from './link-checkpoint-at';
import { categoryOf } from '../stream-name';
import { EventStoreDbConsumerGroups, type EventStoreDbConsumerGroupsOptions } from './persistent/eventstoredb-consumer-groups';
import { categoryStream, eventTypeStream, ProjectionBarrier, type BarrierOptions } from './projection-barrier';
import { ResubscribingSubscription } from './resubscribing-subscription';
import { allReadPosition, fromAll, fromLinkStream, toRecordedEvent } from './resolved-event';
import { toClientExpectedRevision } from './revision-mapping';

export interface EventStoreDbOptions {
  readonly logger?: StoreLogger;
  /** Serves `readEvent`; without one, `readEvent` scans `$all` backwards (see event-id-index.ts). */
  readonly eventIdIndex?: EventIdIndex;
  /** How far behind the index may be: ids it does not know are looked for among events this recent. */
  readonly eventIdIndexLagMs?: number;
  /** Resubscription backoff of catch-up subscriptions (100 ms doubling to 5 s by default). */
  readonly backoff?: BackoffOptions;
  /** Read-your-writes wait of `$ce-`/`$et-` reads for the system projections. */
  readonly projectionBarrier?: BarrierOptions;
  /** Default `maxCount` of `$all`/category/type reads, as on the embedded store. */
  readonly pageSize?: number;
  readonly keepAlive?: KeepAlive;
  readonly pingTimeoutMs?: number;
  /** `connect` waits this long for the server to answer (it may still be starting, or electing a leader); 0: not at all. */
  readonly connectTimeoutMs?: number;
  /** Options of every consumer-group member (tests: backoff and sleep without timers). */
  readonly consumerGroups?: EventStoreDbConsumerGroupsOptions['consumer'];
}

const defaultPageSize = 1000;

const toEventData = (event: NewEvent) =>
  jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata ?? {} });

/**
 * The production store: EventStoreDB through `@eventstore/db-client` (gRPC). Honours the port and
 * its contract suite, with these EventStoreDB-specific choices:
 *
 * - positions are `$all` commit positions; `$ce-`/`$et-` checkpoints are link revisions + 1;
 * - `$all` reads and subscriptions leave out system events and the adapter's checkpoint, snapshot and secret streams;
 * - an id stored in another stream is not detected (EventStoreDB's idempotence is per stream);
 * - `readEvent` goes through an injected id index, falling back to a scan of recent `$all`.
 *
 * It hosts consumer groups (persistent subscriptions), on which the process managers run in this
 * mode so that several instances of the service share their work.
 */
export class EventStoreDbEventStore implements EventStore, ConsumerGroupHost {
  readonly checkpoints: EventStoreDbCheckpointStore;
  readonly snapshots: EventStoreDbSnapshotStore;
  readonly secrets: EventStoreDbSecretStore;
  private readonly logger: StoreLogger;
  private readonly barrier: ProjectionBarrier;
  private readonly subscriptions = new Set<Subscription>();
  private readonly groups = new Set<ConsumerGroups>();
  private readonly pageSize: number;
  private closed = false;

  /**
   * The client connects lazily; with `connectTimeoutMs` this waits until the server answers a ping,
   * retrying with backoff, so that a service started next to a store that is still starting up
   * (or electing a leader) does not fail its first reads; past the timeout it fails with
   * `EventStoreUnavailable`.
   */
  static async connect(connectionString: string, options: EventStoreDbOptions = {}): Promise<EventStoreDbEventStore> {
    const client = EventStoreDBClient.connectionString(withExplicitKeepAlive(connectionString, options.keepAlive));
    const store = new EventStoreDbEventStore(client, options);
    if ((options.connectTimeoutMs ?? 0) > 0) await store.waitUntilAnswering(options.connectTimeoutMs!);
    return store;
  }

  /** Pings until the server answers or `timeoutMs` has passed (then closes the store and rethrows the last failure). */
  async waitUntilAnswering(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ping();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, this.options.backoff);
        if (!(error instanceof EventStoreUnavailable) || Date.now() + delayMs >= deadline) {
          await this.close();
          throw error;
        }
        this.logger.warn({ err: error, delayMs }, 'EventStoreDB does not answer yet; waiting');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  constructor(
    private readonly client: EsdbClient,
    private readonly options: EventStoreDbOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.checkpoints = new EventStoreDbCheckpointStore(client);
    this.snapshots = new EventStoreDbSnapshotStore(client);
    this.secrets = new EventStoreDbSecretStore(client);
    this.barrier = new ProjectionBarrier(client, options.projectionBarrier, this.logger);
    this.pageSize = options.pageSize ?? defaultPageSize;
  }

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) return this.emptyAppend(stream, expected);
    try {
      const result = await this.client.appendToStream(stream, events.map(toEventData), {
        expectedRevision: toClientExpectedRevision(expected),
      });
      // An idempotent retry may come back without a position (the server wrote nothing): take the stored event's.
      const position = result.position?.commit ?? (await this.positionOf(stream, result.nextExpectedRevision));
      this.barrier.appended(
        stream,
        events.map((event) => event.type),
        position,
      );
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position };
    } catch (error) {
      throw toStoreError(error, { stream, expected });
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    try {
      const events: RecordedEvent[] = [];
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      })) {
        if (resolved.event !== undefined) events.push(toRecordedEvent(resolved.event));
      }
      return events;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toStoreError(error);
    }
  }

  async readAll(options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    const maxCount = options.maxCount ?? this.pageSize;
    if (maxCount <= 0) return [];
    const { after } = options;
    try {
      return await this.readAllFrom(after === undefined ? undefined : allReadPosition(after), after, maxCount);
    } catch (error) {
      // `after` is not where a record starts (say, a position - 1): the server does not read from inside a
      // record. Find the last record at or before it, reading backwards, and read on from there. Any
      // other error (access denied, a dropped connection) is the caller's: no scan of `$all` for it.
      if (after === undefined || !isInvalidPositionError(error)) throw toStoreError(error);
      try {
        return await this.readAllFrom(await this.recordAtOrBefore(after), after, maxCount);
      } catch (retryError) {
        throw toStoreError(retryError);
      }
    }
  }

  private async readAllFrom(from: Position | undefined, after: bigint | undefined, maxCount: number): Promise<PositionedEvent[]> {
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: from ?? START });
    const events: PositionedEvent[] = [];
    try {
      for await (const resolved of read) {
        const step = fromAll(resolved);
        if (step?.positioned === undefined || (after !== undefined && step.checkpoint <= after)) continue;
        events.push(step.positioned);
        if (events.length === maxCount) break;
      }
      return events;
    } finally {
      await read.cancel().catch(() => undefined);
    }
  }

  private async recordAtOrBefore(position: bigint): Promise<Position | undefined> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
    try {
      for await (const resolved of read) {
        const at = resolved.event?.position;
        if (at !== undefined && at.commit <= position) return at;
      }
      return undefined;
    } finally {
      await read.cancel().catch(() => undefined);
    }
  }

  readCategory(category: string, options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    return this.readLinks(categoryStream(category), options);
  }

  readEventType(type: string, options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    return this.readLinks(eventTypeStream(type), options);
  }

  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    try {
      const index = this.options.eventIdIndex;
      if (index !== undefined) {
        const location = await index.locate(eventId);
        if (location !== undefined) {
          const [event] = await this.readStream(location.stream, { fromRevision: location.revision, maxCount: 1 });
          if (event?.id === eventId) return event;
        }
        const lagMs = this.options.eventIdIndexLagMs ?? 60_000;
        return await scanForEvent(this.client, eventId, { notOlderThan: new Date(Date.now() - lagMs) }, this.logger);
      }
      return await scanForEvent(this.client, eventId, {}, this.logger);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  subscribe({ to, after }: SubscribeOptions): Subscription {
    const subscription =
      to.kind === 'all'
        ? new ResubscribingSubscription<AllStreamResolvedEvent>({
            source: '$all',
            after,
            open: (from) =>
              this.client.subscribeToAll({
                fromPosition: from === undefined ? START : allReadPosition(from),
                filter: excludeSystemEvents(),
              }),
            step: fromAll,
            backoff: this.options.backoff,
            logger: this.logger,
            onClose: () => this.subscriptions.delete(subscription),
          })
        : new ResubscribingSubscription<ResolvedEvent>({
            source: categoryStream(to.category),
            after,
            // Checkpoints are link revision + 1, and the client's start revision is exclusive: resume from checkpoint - 1.
            open: (from) =>
              this.client.subscribeToStream(categoryStream(to.category), {
                fromRevision: from === undefined || from === 0n ? START : from - 1n,
                resolveLinkTos: true,
              }),
            step: fromLinkStream,
            backoff: this.options.backoff,
            logger: this.logger,
            onClose: () => this.subscriptions.delete(subscription),
          });
    if (this.closed) void subscription.close();
    else this.subscriptions.add(subscription);
    return subscription;
  }

  /** A new group starts where the handler's catch-up checkpoint (single-instance runs) left off, so switching over replays nothing. */
  consumerGroups(handlers: readonly ReactionHandler[], options: ConsumerGroupOptions = {}): ConsumerGroups {
    const groups = new EventStoreDbConsumerGroups(this.client, handlers, {
      ...options,
      startFrom: (name) => this.checkpoints.load(name),
      logger: this.logger,
      ...(this.options.consumerGroups === undefined ? {} : { consumer: this.options.consumerGroups }),
    });
    this.groups.add(groups);
    return groups;
  }

  async headCheckpoint(target: SubscriptionTarget): Promise<bigint> {
    try {
      if (target.kind === 'category') {
        const stream = categoryStream(target.category);
        await this.barrier.settle(stream);
        for await (const resolved of this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
          const step = fromLinkStream(resolved);
          if (step !== undefined) return step.checkpoint;
        }
        return 0n;
      }
      const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
      try {
        for await (const resolved of read) {
          const step = fromAll(resolved);
          if (step?.positioned !== undefined) return step.checkpoint;
        }
        return 0n;
      } finally {
        await read.cancel().catch(() => undefined);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 0n;
      throw toStoreError(error);
    }
  }

  /**
   * `$all` checkpoints are positions; a category's is the revision + 1 of the link to its newest event
   * at or before the position, once the projection has written it. For a position of another
   * category's event, the projection has passed it once it has linked that event (it links in `$all`
   * order): from then on the category's newest link at or before it is the answer, even an old one.
   */
  async checkpointAt(target: SubscriptionTarget, position: bigint, options: { readonly timeoutMs?: number } = {}): Promise<bigint | undefined> {
    if (target.kind === 'all') return position;
    const linkOptions = {
      timeoutMs: options.timeoutMs ?? this.options.projectionBarrier?.timeoutMs ?? 5000,
      ...(this.options.projectionBarrier?.pollMs === undefined ? {} : { pollMs: this.options.projectionBarrier.pollMs }),
    };
    try {
      const own = await this.categoryAt(position);
      if (own === undefined || own === target.category) return await linkCheckpointAt(this.client, categoryStream(target.category), position, linkOptions);
      if ((await linkCheckpointAt(this.client, categoryStream(own), position, linkOptions)) === undefined) return undefined;
      return await linkCheckpointAt(this.client, categoryStream(target.category), position, { ...linkOptions, passed: true });
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** The category of the event at exactly that `$all` position; undefined when no event of ours starts there. */
  private async categoryAt(position: bigint): Promise<string | undefined> {
    let read: ReturnType<EsdbClient['readAll']> | undefined;
    try {
      read = this.client.readAll({ direction: FORWARDS, fromPosition: allReadPosition(position), maxCount: 1 });
      for await (const resolved of read) {
        const step = fromAll(resolved);
        return step?.positioned !== undefined && step.checkpoint === position ? categoryOf(step.positioned.event.streamName) : undefined;
      }
      return undefined;
    } catch (error) {
      // Not where a record starts (a made-up position): no category, and the caller waits as for its own.
      if (isConnectionError(error)) throw error;
      return undefined;
    } finally {
      if (read !== undefined) await read.cancel().catch(() => undefined);
    }
  }

  /** A cheap read of the newest record of `$all`, with a deadline: reads on this client have none of their own. */
  async ping(): Promise<void> {
    this.assertOpen();
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    const timeoutMs = this.options.pingTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          for await (const _ of read) break;
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EventStoreUnavailable(`EventStoreDB did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw toStoreError(error);
    } finally {
      clearTimeout(timer);
      await read.cancel().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Members finish the events in hand (their acks travel on this client) before it goes.
    await Promise.all([...this.groups].map((groups) => groups.stop()));
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    // A read left early (`return`/`break` inside `for await`) leaves its gRPC stream unpiped and paused
    // with its end unread; `dispose()` waits for every stream to finish and would wait forever. Let them end.
    for (const stream of (this.client as unknown as { disposableStreams?: Set<NodeJS.ReadableStream> }).disposableStreams ?? []) stream.resume();
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailable('the event store is closed');
  }

  private async readLinks(linkStream: string, { after, maxCount = this.pageSize }: ReadManyOptions): Promise<PositionedEvent[]> {
    if (maxCount <= 0) return [];
    const events: PositionedEvent[] = [];
    try {
      await this.barrier.settle(linkStream);
      // `after` is a link revision + 1, i.e. the revision of the next link: read from it, inclusive.
      for await (const resolved of this.client.readStream(linkStream, {
        direction: FORWARDS,
        fromRevision: after === undefined ? START : after,
        maxCount,
        resolveLinkTos: true,
      })) {
        const step = fromLinkStream(resolved);
        if (step?.positioned !== undefined) events.push(step.positioned);
      }
      return events;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toStoreError(error);
    }
  }

  private async emptyAppend(stream: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [head] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const actual = head === undefined ? 'no_stream' : head.revision;
    const satisfied =
      expected === 'any' ||
      (expected === 'no_stream' && actual === 'no_stream') ||
      (expected === 'stream_exists' && actual !== 'no_stream') ||
      expected === actual;
    if (!satisfied) throw new WrongExpectedVersion(stream, expected, actual);
    return { nextExpectedRevision: head?.revision ?? -1, position: head?.position ?? 0n };
  }

  private async positionOf(stream: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readStream(stream, { fromRevision: Number(revision), maxCount: 1 });
    if (event === undefined) throw new Error(`EventStoreDB acknowledged ${stream}@${revision} but it cannot be read`);
    return event.position;
  }
}
