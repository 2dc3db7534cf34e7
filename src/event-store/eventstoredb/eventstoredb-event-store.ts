import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  START,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { ConsumerGroupHost, ConsumerGroupOptions, ConsumerGroups, ProcessManager } from '../consumer-groups.port';
import { EventStoreUnavailable } from '../errors';
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
import { toStoreError } from './error-mapping';
import { scanForEvent, type EventIdIndex } from './event-id-index';
import { EventStoreDbSecretStore } from './eventstoredb-secret-store';
import { EventStoreDbSnapshotStore } from './eventstoredb-snapshot-store';
import { EventStoreDbCheckpointStore } from './eventstoredb-checkpoint-store';
import { linkCheckpointAt } from './link-checkpoint-at';
import { EventStoreDbConsumerGroups, type EventStoreDbConsumerGroupsOptions } from './persistent/eventstoredb-consumer-groups';
import { categoryStream, eventTypeStream, ProjectionBarrier, type BarrierOptions } from './projection-barrier';
import { ResubscribingSubscription } from './resubscribing-subscription';
import { categoryAt, readAllPage } from './all-reads';
import { readLinks } from './link-reads';
import { readStreamEvents } from './stream-reads';
import { appendToStream } from './stream-writes';
import { allReadPosition, fromAll, fromLinkStream } from './resolved-event';
import { leftCleanly } from './left-cleanly';

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
  /** How long `close` waits for the client to end its streams. */
  readonly disposeTimeoutMs?: number;
  /** `connect` waits this long for the server to answer (it may still be starting, or electing a leader); 0: not at all. */
  readonly connectTimeoutMs?: number;
  /** Options of every consumer-group member (tests: backoff and sleep without timers). */
  readonly consumerGroups?: EventStoreDbConsumerGroupsOptions['consumer'];
}

const defaultPageSize = 1000;


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






  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    return appendToStream(this.client, this.barrier, stream, events, expected);
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return readStreamEvents(this.client, stream, options);
  }

  readAll(options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    return readAllPage(this.client, options.after, options.maxCount ?? this.pageSize);
  }

  readCategory(category: string, options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    return readLinks(this.client, this.barrier, categoryStream(category), options.after, options.maxCount ?? this.pageSize);
  }

  readEventType(type: string, options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    return readLinks(this.client, this.barrier, eventTypeStream(type), options.after, options.maxCount ?? this.pageSize);
  }

  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    try {
      const index = this.options.eventIdIndex;
      if (index !== undefined) {
        const location = await index.locate(eventId);
        if (location !== undefined) {
          const [event] = await readStreamEvents(this.client, location.stream, { fromRevision: location.revision, maxCount: 1 });
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
  consumerGroups(handlers: readonly ProcessManager[], options: ConsumerGroupOptions = {}): ConsumerGroups {
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
        for await (const resolved of leftCleanly(this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))) {
          const step = fromLinkStream(resolved);
          if (step !== undefined) return step.checkpoint;
        }
        return 0n;
      }
      const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
      try {
        for await (const resolved of leftCleanly(read)) {
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
      const own = await categoryAt(this.client, position);
      if (own === undefined || own === target.category) return await linkCheckpointAt(this.client, categoryStream(target.category), position, linkOptions);
      if ((await linkCheckpointAt(this.client, categoryStream(own), position, linkOptions)) === undefined) return undefined;
      return await linkCheckpointAt(this.client, categoryStream(target.category), position, { ...linkOptions, passed: true });
    } catch (error) {
      throw toStoreError(error);
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
          for await (const _ of leftCleanly(read)) break;
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EventStoreUnavailable(`EventStoreDB did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw toStoreError(error);
    } finally {
      clearTimeout(timer);
      // Not awaited: while the client is still discovering the cluster, cancelling waits for the discovery, past the timeout.
      void read.cancel().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Members finish the events in hand (their acks travel on this client) before it goes.
    await Promise.all([...this.groups].map((groups) => groups.stop()));
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    // The client waits for every stream it handed out to end; one left midway after the server finished never does
    // (see left-cleanly.ts): past this wait the store is closed anyway, the socket goes with the process.
    const waitMs = this.options.disposeTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.client.dispose().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs))),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.logger.warn({ waitMs }, 'EventStoreDB client still had streams open after the wait; closed without them');
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailable('the event store is closed');
  }



}
