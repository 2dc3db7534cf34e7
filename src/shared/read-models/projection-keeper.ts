import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EventStore, PositionedEvent, Subscription } from '../../event-store/event-store.port';
import type { Projection } from './projection';
import { type Copy, physicalNames, type ProjectionCatalog } from './projection-catalog';

export interface KeeperParts {
  readonly store: EventStore;
  readonly db: Database.Database;
  readonly catalog: ProjectionCatalog;
  readonly batchSize: number;
  readonly logger: Logger;
  /** Called after every commit, for the runner's waiters. */
  readonly onApplied: () => void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Keeps the serving copy of one read model up to date: the backlog a batch per transaction, then
 * live events from a catch-up subscription, each applied in the transaction that saves the copy's
 * checkpoint. Each transaction first checks that its copy still serves; after a swap (here or by
 * the CLI in another process) it follows the new copy from that copy's checkpoint. A copy of
 * another version than the code's is left as it is (the code cannot be trusted to apply to it)
 * until the rebuild of the code's version swaps in.
 */
export class ProjectionKeeper {
  /** The checkpoint of the serving copy, as far as this process knows. */
  serving: bigint | undefined;
  /** The generation it follows (or waits on). */
  generation: number | undefined;
  failure: unknown;
  private stopped = false;
  private pokes = 0;
  private subscription: Subscription | undefined;
  private wake: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly parts: KeeperParts,
    readonly projection: Projection,
  ) {}

  start(): void {
    this.done = this.run();
  }

  /** The serving copy changed, or may have: look again. */
  poke(): void {
    this.pokes++;
    void this.subscription?.close();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.done;
  }

  private async run(): Promise<void> {
    const { catalog, logger, onApplied } = this.parts;
    while (!this.stopped) {
      const pokes = this.pokes;
      const live = catalog.live(this.projection.name);
      this.generation = live?.generation;
      this.serving = live?.checkpoint;
      onApplied();
      if (live === undefined || live.version !== this.projection.version) {
        await this.pause(pokes);
        continue;
      }
      try {
        this.failure = undefined;
        await this.follow(live, pokes);
      } catch (error) {
        this.failure = error;
        logger.error({ err: error, projection: this.projection.name }, 'read model stopped on an error; a rebuild replaces it');
        await this.pause(pokes);
      }
    }
  }

  private pause(pokes: number): Promise<void> {
    if (this.pokes !== pokes || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async follow(live: Copy, pokes: number): Promise<void> {
    const { store, db, catalog, batchSize, onApplied } = this.parts;
    const { name, category } = this.projection;
    const apply = this.projection.writer(db, physicalNames(live.tables, live.generation));
    const applyAll = db.transaction((events: readonly PositionedEvent[]): boolean => {
      if (!catalog.serves(name, live.generation)) return false;
      for (const { event } of events) apply(event);
      catalog.saveLiveCheckpoint(name, events[events.length - 1]!.checkpoint);
      return true;
    });
    const commit = (events: readonly PositionedEvent[]): boolean => {
      try {
        if (!applyAll.immediate(events)) return false;
      } catch (error) {
        if (events.length === 1) throw error;
        // Apply what comes before the event that fails, so the copy stops right before it.
        return events.every((event) => commit([event]));
      }
      this.serving = events[events.length - 1]!.checkpoint;
      onApplied();
      return true;
    };
    const current = () => !this.stopped && this.pokes === pokes;

    // The backlog, in batches.
    for (;;) {
      const page = await store.readCategory(category, { after: this.serving, maxCount: batchSize });
      if (!current() || page.length === 0) break;
      if (!commit(page)) return;
      if (page.length < batchSize) break;
      await nextTurn();
    }
    if (!current()) return;
    // Then live, one event at a time.
    const subscription = store.subscribe({ to: { kind: 'category', category }, after: this.serving });
    this.subscription = subscription;
    try {
      if (!current()) return;
      for await (const positioned of subscription) {
        if (!commit([positioned])) return;
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
    }
  }
}
