import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EventStore, PositionedEvent, Subscription } from '../../event-store/event-store.port';
import type { Projection } from './projection';
import { type Copy, physicalNames, type ProjectionCatalog } from './projection-catalog';
import type { ReadModelCommits } from './read-model-commits';

export interface KeeperParts {
  readonly store: EventStore;
  readonly db: Database.Database;
  readonly catalog: ProjectionCatalog;
  /** The read models' group commit, for live events. */
  readonly commits: ReadModelCommits;
  readonly batchSize: number;
  readonly logger: Logger;
  /** Called after every commit, for the runner's waiters. */
  readonly onApplied: () => void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The database was locked past its busy timeout (e.g. another process builds a large index): nothing was wrong with the events. */
const isLockedOut = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code));
const lockedOutRetryMs = 1000;

/**
 * Keeps the serving copy of one read model up to date: the backlog a batch per transaction, then
 * live events from a catch-up subscription, those of one turn together, in the transaction that
 * saves the copy's checkpoint. Each transaction first checks that its copy still serves; after a swap (here or by
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
        if (isLockedOut(error)) {
          // Follow again from the saved checkpoint once the lock is gone: the copy is as good as before.
          logger.warn({ err: error, projection: this.projection.name }, 'read model database locked; following again shortly');
          await this.pause(pokes, lockedOutRetryMs);
          continue;
        }
        this.failure = error;
        logger.error({ err: error, projection: this.projection.name }, 'read model stopped on an error; a rebuild replaces it');
        await this.pause(pokes);
      }
    }
  }

  /** Until the next poke, or `ms` if given. */
  private pause(pokes: number, ms?: number): Promise<void> {
    if (this.pokes !== pokes || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async follow(live: Copy, pokes: number): Promise<void> {
    const { store, db, catalog, commits, batchSize, onApplied } = this.parts;
    const { name, category } = this.projection;
    const apply = this.projection.writer(db, physicalNames(live.tables, live.generation));
    const applyEvery = (events: readonly PositionedEvent[]): boolean => {
      if (!catalog.serves(name, live.generation)) return false;
      for (const { event } of events) apply(event);
      catalog.saveLiveCheckpoint(name, events[events.length - 1]!.checkpoint);
      return true;
    };
    const applyAll = db.transaction(applyEvery);
    // Applies what comes before an event that fails, so that the copy stops right before it.
    const applyUpToFailure = (events: readonly PositionedEvent[]): Applied => {
      try {
        return applyAll.immediate(events) ? { upTo: events[events.length - 1]!.checkpoint } : 'lost';
      } catch (error) {
        if (events.length === 1) return { upTo: undefined, error };
        let upTo: bigint | undefined;
        for (const positioned of events) {
          const one = applyUpToFailure([positioned]);
          if (one === 'lost') return one;
          if ('error' in one) return { upTo, error: one.error };
          upTo = one.upTo;
        }
        return { upTo };
      }
    };
    /** True if the copy still serves and every event applied; throws the error of one that failed. */
    const settle = (applied: Applied): boolean => {
      if (applied === 'lost') return false;
      if (applied.upTo !== undefined) {
        this.serving = applied.upTo;
        onApplied();
      }
      if ('error' in applied) throw applied.error;
      return true;
    };
    const current = () => !this.stopped && this.pokes === pokes;

    // The backlog, in batches.
    for (;;) {
      const page = await store.readCategory(category, { after: this.serving, maxCount: batchSize });
      if (!current() || page.length === 0) break;
      if (!settle(applyUpToFailure(page))) return;
      if (page.length < batchSize) break;
      await nextTurn();
    }
    if (!current()) return;
    // Then live: what arrives in one turn of the event loop commits in the read models' group transaction.
    const subscription = store.subscribe({ to: { kind: 'category', category }, after: this.serving });
    this.subscription = subscription;
    let arrived: PositionedEvent[] = [];
    let committed: Promise<void> = Promise.resolve();
    let ended: { readonly error?: unknown } | undefined;
    const end = (why: { readonly error?: unknown }) => {
      ended ??= why;
      void subscription.close();
    };
    try {
      if (!current()) return;
      for await (const positioned of subscription) {
        if (ended !== undefined) break;
        arrived.push(positioned);
        if (arrived.length === 1) {
          let batch: readonly PositionedEvent[] | undefined;
          committed = commits
            .run((pass): Applied => {
              // Taken once: the work runs again, alone, if a write of its turn failed.
              if (batch === undefined) {
                batch = arrived;
                arrived = [];
              }
              // An earlier batch failed or lost the copy: nothing after it may apply.
              if (ended !== undefined) return 'lost';
              // Together with its turn, a failure undoes the whole turn, which then runs again piece by piece.
              if (pass === 'together') return applyEvery(batch) ? { upTo: batch[batch.length - 1]!.checkpoint } : 'lost';
              return applyUpToFailure(batch);
            })
            .then((applied) => {
              if (!settle(applied)) end({});
            })
            .catch((error: unknown) => end({ error }));
        } else if (arrived.length >= batchSize) {
          // A keeper far behind gets whole pages in one turn: hold the subscription until that batch has committed.
          await committed;
        }
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
      await committed;
    }
    if (ended !== undefined && 'error' in ended) throw ended.error;
  }
}

type Applied = { readonly upTo: bigint | undefined; readonly error?: unknown } | 'lost';
