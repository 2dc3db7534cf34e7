import type { Logger } from 'pino';
import type { EventStore, RecordedEvent, Subscription } from '../../event-store/event-store.port';
import { KeyedQueue } from '../application/keyed-queue';
import type { DeadLetterStore } from './dead-letter-store';
import type { Reaction } from './reaction';
import { Watermark } from './watermark';

export interface ReactionRunnerOptions {
  /** Events handled at once across streams; one stream's events are always handled one at a time, in order. */
  readonly maxInFlight?: number;
  /** Retries after the first failure, with exponential backoff from `baseDelayMs`. */
  readonly retries?: number;
  readonly baseDelayMs?: number;
}

export interface ReactionStatus {
  readonly name: string;
  readonly checkpoint: string;
  readonly lag: number;
  readonly retries: number;
  readonly deadLetters: number;
  readonly caughtUp: boolean;
}

/** Beyond this many events behind, the lag is reported as this many (counting costs a read of each). */
const lagCountCap = 1_000_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one reaction on a catch-up subscription from its durable checkpoint. Streams are handled
 * concurrently (a slow payment for one order does not hold up another), each stream in order; the
 * checkpoint moves only past events whose effects are durable, so a crash at any moment replays,
 * and never skips, what was not finished.
 */
export class ReactionRunner {
  private subscription: Subscription | undefined;
  private watermark = new Watermark(undefined);
  private readonly lanes = new KeyedQueue();
  private consuming: Promise<void> = Promise.resolve();
  private saving: Promise<void> = Promise.resolve();
  private unsaved: bigint | undefined;
  private slotFreed: (() => void) | undefined;
  private headAtStart: bigint | undefined;
  private retryCount = 0;
  private readonly maxInFlight: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly handledTypes: ReadonlySet<string>;

  constructor(
    private readonly store: EventStore,
    readonly reaction: Reaction,
    private readonly deadLetters: DeadLetterStore,
    private readonly logger: Logger,
    options: ReactionRunnerOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 64;
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.handledTypes = new Set(reaction.eventTypes);
  }

  async start(): Promise<void> {
    const after = await this.store.checkpoints.load(this.reaction.name);
    this.headAtStart = await this.store.headCheckpoint({ kind: 'category', category: this.reaction.category });
    this.watermark = new Watermark(after);
    this.subscription = this.store.subscribe({ to: { kind: 'category', category: this.reaction.category }, after });
    this.consuming = this.consume(this.subscription);
  }

  /** Stops taking events, lets the ones in hand finish, and saves the checkpoint. */
  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.consuming;
    await this.saving;
  }

  /** True once it has handled everything the store held when it started (false before it starts). */
  get caughtUp(): boolean {
    return this.headAtStart !== undefined && (this.watermark.checkpoint ?? 0n) >= this.headAtStart;
  }

  async status(): Promise<ReactionStatus> {
    const target = { kind: 'category', category: this.reaction.category } as const;
    const head = await this.store.headCheckpoint(target);
    const checkpoint = this.watermark.checkpoint ?? 0n;
    const behind = head > checkpoint ? Number(head - checkpoint) : 0;
    return {
      name: this.reaction.name,
      checkpoint: checkpoint.toString(),
      // In events, as MAX_SAGA_LAG counts them (positions also count other categories' events).
      lag: behind === 0 || this.store.countAfter === undefined ? behind : await this.store.countAfter(target, checkpoint, lagCountCap),
      retries: this.retryCount,
      deadLetters: this.deadLetters.countBySubscription().get(this.reaction.name) ?? 0,
      caughtUp: this.caughtUp,
    };
  }

  /** Runs a dead-lettered event through the handler once more; throws if it fails again. */
  async replay(event: RecordedEvent): Promise<void> {
    await this.lanes.run(event.streamName, () => this.reaction.handle(event));
  }

  private async consume(subscription: Subscription): Promise<void> {
    const inHand = new Set<Promise<void>>();
    try {
      for await (const { event, checkpoint } of subscription) {
        const done = this.watermark.track(checkpoint);
        if (!this.handledTypes.has(event.type)) {
          if (done()) this.saveCheckpoint();
          continue;
        }
        const handled: Promise<void> = this.lanes
          .run(event.streamName, () => this.handleWithRetries(event))
          .then(() => {
            inHand.delete(handled);
            if (done()) this.saveCheckpoint();
            this.slotFreed?.();
          });
        inHand.add(handled);
        while (this.watermark.inFlight >= this.maxInFlight) {
          await new Promise<void>((resolve) => (this.slotFreed = resolve));
        }
      }
    } catch (error) {
      this.logger.error({ err: error, reaction: this.reaction.name }, 'subscription stopped on an error');
    }
    await Promise.all(inHand);
  }

  private async handleWithRetries(event: RecordedEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.reaction.handle(event);
        return;
      } catch (error) {
        if (attempt >= this.retries) {
          this.deadLetters.add({
            subscription: this.reaction.name,
            eventId: event.id,
            eventType: event.type,
            streamName: event.streamName,
            position: event.position.toString(),
            error: error instanceof Error ? error.message : String(error),
            attempts: attempt + 1,
            failedAt: new Date().toISOString(),
          });
          this.logger.error({ err: error, reaction: this.reaction.name, eventId: event.id }, 'event dead-lettered after its retries');
          return;
        }
        this.retryCount++;
        this.logger.warn({ err: error, reaction: this.reaction.name, eventId: event.id, attempt: attempt + 1 }, 'handler failed; retrying');
        await sleep(this.baseDelayMs * 2 ** attempt);
      }
    }
  }

  /** Saves the newest mark; saves asked for while one is under way coalesce into the next. */
  private saveCheckpoint(): void {
    const pending = this.unsaved !== undefined;
    this.unsaved = this.watermark.checkpoint;
    if (pending || this.unsaved === undefined) return;
    this.saving = this.saving
      .then(async () => {
        const checkpoint = this.unsaved!;
        this.unsaved = undefined;
        await this.store.checkpoints.save(this.reaction.name, checkpoint);
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, reaction: this.reaction.name }, 'could not save the checkpoint');
      });
  }
}
