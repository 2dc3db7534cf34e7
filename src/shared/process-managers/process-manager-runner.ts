import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { isTransientStoreError } from '../../event-store/errors';
import type { EventStore, RecordedEvent, Subscription } from '../../event-store/event-store.port';
import { KeyedQueue } from '../application/keyed-queue';
import type { DeadLetterStore } from './dead-letter-store';
import type { ProcessManager } from '../../event-store/consumer-groups.port';
import { Watermark } from './watermark';

export interface ProcessManagerRunnerOptions {
  /** Events handled at once across streams; one stream's events are always handled one at a time, in order. */
  readonly maxInFlight?: number;
  /** Retries after the first failure, with exponential backoff from `baseDelayMs`. */
  readonly retries?: number;
  readonly baseDelayMs?: number;
  /**
   * How long a stop waits for the events in hand. Those not finished by then are given up: the
   * checkpoint stays before them and the next start handles them again, as after a crash (handlers
   * are idempotent). Stopping must not wait on a slow downstream or on a queue of work in hand.
   */
  readonly drainTimeoutMs?: number;
}

export interface ProcessManagerRunnerStatus {
  readonly name: string;
  readonly checkpoint: string;
  readonly lag: number;
  readonly retries: number;
  readonly deadLetters: number;
  readonly caughtUp: boolean;
  /** Retries after a store error that clears by itself (busy, I/O, unreachable): these never dead-letter an event. */
  readonly transientRetries: number;
  /** Times its subscription failed and was started again. */
  readonly restarts: number;
  /** False while its subscription is down, waiting to start again. */
  readonly running: boolean;
}

/** Waits between retries of what clears by itself, and between restarts of a subscription, never grow past this. */
const maxBackoffMs = 5000;

/** Beyond this many events behind, the lag is reported as this many (counting costs a read of each). */
const lagCountCap = 1_000_000;

/** Resolves true once `work` settles, false if `ms` pass first. */
const settlesWithin = (work: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settled, settled);
  });

/** Waits before a retry; a stop ends the wait at once. */
const backOff = (ms: number, stopped: AbortSignal): Promise<void> => {
  if (stopped.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stopped.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stopped.addEventListener('abort', done);
  });
};

/** Exponential from `baseMs`, capped, with jitter (half to all of it), so that many waiters do not come back at once. */
const cappedBackoff = (baseMs: number, attempt: number): number => {
  const ms = Math.min(maxBackoffMs, baseMs * 2 ** Math.min(attempt, 20));
  return ms / 2 + Math.random() * (ms / 2);
};

/**
 * Runs one process manager on a catch-up subscription from its durable checkpoint. Streams are handled
 * concurrently (a slow payment for one order does not hold up another), each stream in order; the
 * checkpoint moves only past events whose effects are durable, so a crash at any moment replays,
 * and never skips, what was not finished.
 *
 * A stop takes no more events, aborts the handlers' waits (`HandleContext.signal`), gives up the
 * events in hand that have not started (queued behind another event of their stream), lets the
 * started ones finish (for up to `drainTimeoutMs`), and saves the checkpoint: whatever it gave up
 * lies after the checkpoint and is handled at the next start.
 */
export class ProcessManagerRunner {
  private subscription: Subscription | undefined;
  private watermark = new Watermark(undefined);
  private readonly lanes = new KeyedQueue();
  private consuming: Promise<void> = Promise.resolve();
  private saving: Promise<void> = Promise.resolve();
  private unsaved: bigint | undefined;
  private slotFreed: (() => void) | undefined;
  private headAtStart: bigint | undefined;
  private retryCount = 0;
  private transientRetryCount = 0;
  private restartCount = 0;
  private down = false;
  /** Aborted by `stop`: take no more events, start no more handlers, retry nothing. One per start. */
  private aborted = new AbortController();
  /** Set once `stop` has saved the checkpoint: a handler that ends later does not move it (the store may be closed). */
  private checkpointFinal = false;
  private readonly maxInFlight: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly drainTimeoutMs: number;
  private readonly handledTypes: ReadonlySet<string>;

  constructor(
    private readonly store: EventStore,
    readonly processManager: ProcessManager,
    private readonly deadLetters: DeadLetterStore,
    private readonly logger: Logger,
    options: ProcessManagerRunnerOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 64;
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 5000;
    this.handledTypes = new Set(processManager.eventTypes);
  }

  /** Starts (or, after a stop, starts again) from the saved checkpoint. */
  async start(): Promise<void> {
    this.checkpointFinal = false;
    this.aborted = new AbortController();
    // Every handler in hand listens to it (a carrier simulation may hold 100,000 of them): no leak warning.
    setMaxListeners(0, this.aborted.signal);
    const after = await this.store.checkpoints.load(this.processManager.name);
    this.headAtStart = await this.store.headCheckpoint({ kind: 'category', category: this.processManager.category });
    this.watermark = new Watermark(after);
    this.subscription = this.store.subscribe({ to: { kind: 'category', category: this.processManager.category }, after });
    this.consuming = this.consume(this.subscription, this.aborted.signal);
  }

  /** Stops taking events, lets the ones in hand finish (or gives them up, see the class), and saves the checkpoint. */
  async stop(): Promise<void> {
    this.aborted.abort();
    await this.subscription?.close();
    // The loop may be waiting for a free slot: wake it, so that it sees the stop and leaves.
    this.slotFreed?.();
    const inHand = this.watermark.inFlight;
    const drained = await settlesWithin(this.consuming, this.drainTimeoutMs);
    if (!drained) {
      this.logger.warn(
        { processManager: this.processManager.name, inHand, notCheckpointed: this.watermark.inFlight, drainTimeoutMs: this.drainTimeoutMs },
        'stopped with events still in hand; they are handled again at the next start',
      );
    }
    this.saveCheckpoint();
    this.checkpointFinal = true;
    await this.saving;
  }

  /** True once it has handled everything the store held when it started (false before it starts). */
  get caughtUp(): boolean {
    return this.headAtStart !== undefined && (this.watermark.checkpoint ?? 0n) >= this.headAtStart;
  }

  async status(): Promise<ProcessManagerRunnerStatus> {
    const target = { kind: 'category', category: this.processManager.category } as const;
    const head = await this.store.headCheckpoint(target);
    const checkpoint = this.watermark.checkpoint ?? 0n;
    const behind = head > checkpoint ? Number(head - checkpoint) : 0;
    return {
      name: this.processManager.name,
      checkpoint: checkpoint.toString(),
      // In events, as MAX_SAGA_LAG counts them (positions also count other categories' events).
      lag: behind === 0 || this.store.countAfter === undefined ? behind : await this.store.countAfter(target, checkpoint, lagCountCap),
      retries: this.retryCount,
      deadLetters: this.deadLetters.countBySubscription().get(this.processManager.name) ?? 0,
      caughtUp: this.caughtUp,
      transientRetries: this.transientRetryCount,
      restarts: this.restartCount,
      running: this.running,
    };
  }

  /** False while the subscription is down (it failed, and waits to start again): /ready says so. */
  get running(): boolean {
    return !this.down;
  }

  /** Runs a dead-lettered event through the handler once more; throws if it fails again. */
  async replay(event: RecordedEvent): Promise<void> {
    await this.lanes.run(event.streamName, () => this.processManager.handle(event, { signal: this.aborted.signal }));
  }

  /**
   * Takes events from the subscription until the stop. A subscription that fails (the store went
   * away, a read failed) is started again after a backoff, from the checkpoint, once the events in
   * hand are done; meanwhile the runner reports itself down.
   */
  private async consume(first: Subscription, stopped: AbortSignal): Promise<void> {
    const inHand = new Set<Promise<void>>();
    let subscription = first;
    for (let failures = 0; ; ) {
      try {
        for await (const { event, checkpoint } of subscription) {
          failures = 0;
          const done = this.watermark.track(checkpoint);
          if (!this.handledTypes.has(event.type)) {
            if (done()) this.saveCheckpoint();
            continue;
          }
          const handled: Promise<void> = this.lanes
            .run(event.streamName, () => this.handleWithRetries(event, stopped))
            .then((finished) => {
              inHand.delete(handled);
              // One given up on a stop stays in the watermark: the checkpoint cannot pass it.
              if (finished && done()) this.saveCheckpoint();
              this.slotFreed?.();
            });
          inHand.add(handled);
          while (this.watermark.inFlight >= this.maxInFlight && !stopped.aborted) {
            await new Promise<void>((resolve) => (this.slotFreed = resolve));
          }
        }
        return await Promise.all(inHand).then(() => undefined);
      } catch (error) {
        if (stopped.aborted) return await Promise.all(inHand).then(() => undefined);
        this.down = true;
        this.restartCount++;
        const delayMs = cappedBackoff(this.baseDelayMs, failures++);
        this.logger.error({ err: error, processManager: this.processManager.name, restartInMs: Math.round(delayMs) }, 'subscription failed; starting it again');
        await subscription.close().catch(() => undefined);
        // From the checkpoint: the events in hand finish first, so that none is delivered twice at once.
        await Promise.all(inHand);
        await backOff(delayMs, stopped);
        if (stopped.aborted) return;
        subscription = this.store.subscribe({ to: { kind: 'category', category: this.processManager.category }, after: this.watermark.checkpoint });
        this.subscription = subscription;
        this.down = false;
      }
    }
  }

  /**
   * Resolves true once the event is handled or dead-lettered, false if a stop gave it up. A store
   * error that clears by itself is retried for as long as it lasts (backoff capped at 5 s): an order
   * must not be left PENDING for ever by a hiccup. Any other failure is retried `retries` times, then
   * the event is dead-lettered.
   */
  private async handleWithRetries(event: RecordedEvent, stopped: AbortSignal): Promise<boolean> {
    for (let failures = 0, transient = 0; ; ) {
      // Not started before the stop (it waited behind its stream's previous event, or for a retry): left for the next start.
      if (stopped.aborted) return false;
      try {
        await this.processManager.handle(event, { signal: stopped });
        return true;
      } catch (error) {
        if (stopped.aborted) {
          // Aborted, or cut off by the store closing: not the event's fault, and no dead letter.
          this.logger.debug({ err: error, processManager: this.processManager.name, eventId: event.id }, 'handler ended by the stop; handled again at the next start');
          return false;
        }
        if (isTransientStoreError(error)) {
          this.transientRetryCount++;
          this.logger.warn({ err: error, processManager: this.processManager.name, eventId: event.id, attempt: transient + 1 }, 'the store failed for now; retrying');
          await backOff(cappedBackoff(this.baseDelayMs, transient++), stopped);
          continue;
        }
        if (failures >= this.retries) return this.deadLetter(event, error, failures + 1, stopped);
        this.retryCount++;
        this.logger.warn({ err: error, processManager: this.processManager.name, eventId: event.id, attempt: failures + 1 }, 'handler failed; retrying');
        await backOff(this.baseDelayMs * 2 ** failures++, stopped);
      }
    }
  }

  /** Records the event as a dead letter, retrying the write itself until it lands (or a stop gives the event up). */
  private async deadLetter(event: RecordedEvent, error: unknown, attempts: number, stopped: AbortSignal): Promise<boolean> {
    for (let writeFailures = 0; ; writeFailures++) {
      try {
        this.deadLetters.add({
          subscription: this.processManager.name,
          eventId: event.id,
          eventType: event.type,
          streamName: event.streamName,
          position: event.position.toString(),
          error: error instanceof Error ? error.message : String(error),
          attempts,
          failedAt: new Date().toISOString(),
        });
        this.logger.error({ err: error, processManager: this.processManager.name, eventId: event.id }, 'event dead-lettered after its retries');
        return true;
      } catch (writeError) {
        // Not past it until it is recorded: the checkpoint waits, and the event is not lost.
        this.transientRetryCount++;
        this.logger.error({ err: writeError, processManager: this.processManager.name, eventId: event.id }, 'could not record the dead letter; trying again');
        await backOff(cappedBackoff(this.baseDelayMs, writeFailures), stopped);
        if (stopped.aborted) return false;
      }
    }
  }

  /** Saves the newest mark; saves asked for while one is under way coalesce into the next. */
  private saveCheckpoint(): void {
    if (this.checkpointFinal) return;
    const pending = this.unsaved !== undefined;
    this.unsaved = this.watermark.checkpoint;
    if (pending || this.unsaved === undefined) return;
    this.saving = this.saving
      .then(async () => {
        const checkpoint = this.unsaved!;
        this.unsaved = undefined;
        await this.store.checkpoints.save(this.processManager.name, checkpoint);
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, processManager: this.processManager.name }, 'could not save the checkpoint');
      });
  }
}
