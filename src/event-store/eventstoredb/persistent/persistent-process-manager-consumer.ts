import {
  PARK,
  PersistentSubscriptionDoesNotExistError,
  PersistentSubscriptionExistsError,
  persistentSubscriptionToStreamSettingsFromDefaults,
  PINNED,
  START,
  type PersistentSubscriptionToStream,
  type PersistentSubscriptionToStreamResolvedEvent,
  type PersistentSubscriptionToStreamSettings,
} from '@eventstore/db-client';
import { setMaxListeners } from 'node:events';
import type { RecordedEvent } from '../../event-store.port';
import { backoffDelay, defaultBackoff, Pause, type BackoffOptions } from '../backoff';
import { silentLogger, type EsdbPersistentClient, type StoreLogger } from '../client';
import { categoryStream } from '../projection-barrier';
import { linkEventType, toLinkedEvent } from '../resolved-event';
import type { ProcessManager } from '../../consumer-groups.port';

export interface PersistentConsumerOptions {
  /** In-process retries after the first failure, with exponential backoff from `baseDelayMs`; then the event is parked. */
  readonly retries?: number;
  readonly baseDelayMs?: number;
  /** Events in hand at once (across streams; one stream's events one at a time). Also the client's buffer size. */
  readonly maxInFlight?: number;
  /**
   * Where a new group starts: a category checkpoint of the catch-up mode (link revision + 1) to switch
   * over without replaying, or the start. Asked only when the group is created, inside the join loop,
   * so a store that does not answer yet is retried like a failed join.
   */
  readonly startFrom?: bigint | (() => Promise<bigint | undefined>);
  /** The server re-sends an event not acknowledged within this time (a member that hangs or crashed). */
  readonly messageTimeoutMs?: number;
  /** Re-sends after timeouts before the server parks the event itself. */
  readonly maxServerRetries?: number;
  /** Reconnection backoff when the subscription drops. */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly logger?: StoreLogger;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PersistentConsumerStatus {
  readonly name: string;
  readonly stream: string;
  readonly group: string;
  readonly handled: number;
  readonly ignored: number;
  readonly retries: number;
  readonly parked: number;
  readonly inFlight: number;
  readonly reconnections: number;
  /** The server confirmed this member on the current subscription. */
  readonly joined: boolean;
}

type Delivered = PersistentSubscriptionToStreamResolvedEvent;

/** The settings `ensureGroup` chooses (the rest are the server's defaults). */
const chosenSettings = ['resolveLinkTos', 'consumerStrategyName', 'messageTimeout', 'maxRetryCount', 'checkPointLowerBound'] as const;

/** Resolves when `wait` does, or at once when the signal aborts. */
const unlessAborted = (wait: Promise<void>, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void wait.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });

/**
 * A process manager as a member of an EventStoreDB consumer group: several instances of the service
 * join the same group and the server hands each event of `$ce-<Category>` to one of them, so no
 * event is handled twice while every member is healthy. (When a member dies with events in hand,
 * the server re-sends those to another member after `messageTimeoutMs`: at-least-once, so handlers
 * stay idempotent, as they already must be.)
 *
 * The group uses the Pinned strategy: the server hashes the source stream of each linked event to
 * a bucket owned by one member, so one order's events normally go to one member, in order; within
 * a member, one stream's events are handled one at a time (lanes), different streams concurrently.
 * A failing handler is retried in process (holding its lane, so a stream's later events wait), then
 * the event is nacked with `park`: it moves to the group's parked-message stream, the dead-letter
 * store of this mode, from which `ParkedMessages` lists and replays it.
 *
 * The client does not reconnect a persistent subscription by itself: a dropped one is joined again
 * with backoff; the server remembers the group's position, so nothing is skipped.
 *
 * A stop aborts the handlers' waits (`HandleContext.signal`) and their retry backoffs, and starts no
 * handler: what a stop cut off is neither acknowledged nor parked, so the server re-sends it.
 */
export class PersistentProcessManagerConsumer {
  readonly stream: string;
  readonly group: string;
  private readonly handledTypes: ReadonlySet<string>;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxInFlight: number;
  private readonly logger: StoreLogger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly pause = new Pause();
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inHand = new Set<Promise<void>>();
  private slotFreed: (() => void) | undefined;
  private current: PersistentSubscriptionToStream | undefined;
  private confirmed: PersistentSubscriptionToStream | undefined;
  private running: Promise<void> = Promise.resolve();
  private groupReady = false;
  private stopped = false;
  private aborted = new AbortController();
  private counts = { handled: 0, ignored: 0, retries: 0, parked: 0, reconnections: 0 };

  constructor(
    private readonly client: EsdbPersistentClient,
    readonly handler: ProcessManager,
    private readonly options: PersistentConsumerOptions = {},
  ) {
    this.stream = categoryStream(handler.category);
    this.group = handler.name;
    this.handledTypes = new Set(handler.eventTypes);
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxInFlight = options.maxInFlight ?? handler.maxInFlight ?? 16;
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Joins the group (creating it if needed) in the background; a server that is down is retried with backoff. */
  async start(): Promise<void> {
    this.stopped = false;
    this.aborted = new AbortController();
    // Every handler in hand listens to it (a carrier simulation holds many): no leak warning.
    setMaxListeners(0, this.aborted.signal);
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.aborted.abort();
    this.pause.wake();
    this.slotFreed?.();
    // Let the events in hand finish and be acknowledged before the subscription goes.
    await Promise.all(this.inHand);
    const current = this.current;
    if (current !== undefined) {
      await current.unsubscribe().catch(() => undefined);
      current.destroy();
    }
    await this.running;
  }

  status(): PersistentConsumerStatus {
    return { name: this.handler.name, stream: this.stream, group: this.group, inFlight: this.inHand.size, ...this.counts, joined: this.joined };
  }

  /** True while the server has this process as a member of the group: it answered the current subscription. */
  get joined(): boolean {
    return !this.stopped && this.current !== undefined && this.confirmed === this.current;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let failure: unknown;
      try {
        if (!this.groupReady) {
          await this.ensureGroup();
          this.groupReady = true;
        }
        // Told to stop while joining: a subscription made now would wait for events with no one to end it.
        if (this.stopped) break;
        const subscription = this.client.subscribeToPersistentSubscriptionToStream(this.stream, this.group, {
          bufferSize: this.maxInFlight,
        });
        this.current = subscription;
        subscription.once('confirmation', () => (this.confirmed = subscription));
        try {
          await this.consume(subscription, () => {
            failures = 0;
            this.confirmed = subscription;
          });
        } finally {
          // Acks travel on this subscription: leave the group only once the events in hand are done.
          if (this.stopped) await Promise.all(this.inHand);
          await subscription.unsubscribe().catch(() => undefined);
          if (this.current === subscription) this.current = undefined;
        }
      } catch (error) {
        failure = error;
        if (error instanceof PersistentSubscriptionDoesNotExistError) this.groupReady = false;
      }
      if (this.stopped) break;
      const delayMs = backoffDelay(failures++, this.options.backoff ?? defaultBackoff, this.options.random);
      this.counts.reconnections++;
      this.logger.warn(
        { stream: this.stream, group: this.group, delayMs, err: failure },
        failure === undefined ? 'persistent subscription ended; joining again' : 'persistent subscription dropped; joining again',
      );
      await this.pause.sleep(delayMs);
    }
    await Promise.all(this.inHand);
  }

  private async ensureGroup(): Promise<void> {
    const { startFrom } = this.options;
    const from = typeof startFrom === 'function' ? await startFrom() : startFrom;
    const settings = persistentSubscriptionToStreamSettingsFromDefaults({
      resolveLinkTos: true,
      startFrom: from === undefined || from === 0n ? START : from,
      consumerStrategyName: PINNED,
      // A member that keeps an event longer than this gets it re-sent, and after maxRetryCount parked: leave room for a deliberate wait.
      messageTimeout: this.options.messageTimeoutMs ?? 30_000 + (this.handler.maxHoldMs ?? 0),
      maxRetryCount: this.options.maxServerRetries ?? 10,
      // The server saves the group's position at most every checkPointAfter (2 s); with the default minimum of 10
      // events an idle group would keep showing a lag of up to 9 in the admin view.
      checkPointLowerBound: 1,
    });
    try {
      await this.client.createPersistentSubscriptionToStream(this.stream, this.group, settings);
    } catch (error) {
      if (!(error instanceof PersistentSubscriptionExistsError)) throw error;
      await this.keepSettings(settings);
    }
  }

  /**
   * A group keeps the settings it was created with until it is updated, so a changed setting (a
   * longer message timeout, say) would never reach a group an older version made. An update
   * restarts the group on the server, dropping its members, so it is sent only when a setting we
   * choose differs; where the group starts stays its own.
   */
  private async keepSettings(wanted: PersistentSubscriptionToStreamSettings): Promise<void> {
    const current = (await this.client.getPersistentSubscriptionToStreamInfo(this.stream, this.group)).settings;
    const changed = chosenSettings.filter((key) => current[key] !== wanted[key]);
    if (changed.length === 0) return;
    await this.client.updatePersistentSubscriptionToStream(this.stream, this.group, { ...current, ...wanted, startFrom: current.startFrom });
    this.logger.warn({ stream: this.stream, group: this.group, changed }, 'consumer group settings updated');
  }

  private async consume(subscription: PersistentSubscriptionToStream, delivered: () => void): Promise<void> {
    for await (const resolved of subscription as AsyncIterable<Delivered>) {
      // Stopping: leave it unacknowledged; the server gives it to another member.
      if (this.stopped) break;
      delivered();
      const event = resolved.event;
      if (event === undefined || event.type === linkEventType || !this.handledTypes.has(event.type)) {
        // A link to a deleted event, or a type this process manager does not act on: done.
        this.counts.ignored++;
        await subscription.ack(resolved).catch((error: unknown) => this.ackFailed(error, resolved));
        continue;
      }
      const recorded = toLinkedEvent(event, resolved.link);
      const task = this.inLane(recorded.streamName, () => this.handleOne(subscription, resolved, recorded));
      this.inHand.add(task);
      void task.then(() => {
        this.inHand.delete(task);
        this.slotFreed?.();
      });
      while (this.inHand.size >= this.maxInFlight && !this.stopped) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
      }
    }
  }

  private async handleOne(subscription: PersistentSubscriptionToStream, resolved: Delivered, event: RecordedEvent): Promise<void> {
    const { signal } = this.aborted;
    for (let attempt = 0; ; attempt++) {
      // Not started (it waited behind its stream's previous event, or for a retry) before the stop: the server re-sends it.
      if (signal.aborted) return;
      try {
        await this.handler.handle(event, { signal });
        this.counts.handled++;
        await subscription.ack(resolved).catch((error: unknown) => this.ackFailed(error, resolved));
        return;
      } catch (error) {
        // Aborted, or cut off by the stop: not the event's fault; left unacknowledged.
        if (signal.aborted) return;
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt >= this.retries) {
          this.counts.parked++;
          this.logger.error(
            { err: error, group: this.group, eventId: event.id, attempts: attempt + 1 },
            'event parked after its retries (dead letter)',
          );
          await subscription.nack(PARK, reason, resolved).catch((nackError: unknown) => this.ackFailed(nackError, resolved));
          return;
        }
        this.counts.retries++;
        this.logger.warn({ err: error, group: this.group, eventId: event.id, attempt: attempt + 1 }, 'handler failed; retrying');
        await unlessAborted(this.sleep(this.baseDelayMs * 2 ** attempt), signal);
      }
    }
  }

  /** Runs tasks one at a time per stream, concurrently across streams. */
  private inLane(stream: string, task: () => Promise<void>): Promise<void> {
    const previous = this.lanes.get(stream) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => {
      this.logger.error({ err: error, group: this.group, stream }, 'process manager task failed');
    });
    this.lanes.set(stream, next);
    void next.then(() => {
      if (this.lanes.get(stream) === next) this.lanes.delete(stream);
    });
    return next;
  }

  /** The subscription went away mid-event: the server re-sends the event (to us or another member) later. */
  private ackFailed(error: unknown, resolved: Delivered): void {
    this.logger.warn({ err: error, group: this.group, eventId: resolved.event?.id ?? resolved.link?.id }, 'could not acknowledge; the server will re-send');
  }
}
