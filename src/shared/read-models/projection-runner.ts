import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { CommitSignal } from '../../event-store/commit-signal';
import type { EventStore } from '../../event-store/event-store.port';
import type { Projection } from './projection';
import { physicalNames, ProjectionCatalog, type RebuildCopy } from './projection-catalog';
import { ProjectionKeeper } from './projection-keeper';
import { type RebuildEnd, runRebuild } from './projection-rebuild';
import { ReadModelCommits } from './read-model-commits';
import { isRebuildOwnerAlive, newRebuildOwner, releaseRebuildOwner } from './rebuild-owner';

export interface ProjectionStatus {
  readonly name: string;
  /** The version of the copy that serves. */
  readonly version: number;
  /** The checkpoint of the copy that serves. */
  readonly position: string;
  readonly lag: number;
  readonly status: 'live' | 'catching up' | 'rebuilding' | 'failed';
  /** While rebuilding: how far the new copy got, 0..1 of the store's positions. */
  readonly progress?: number;
  /** The error of the last rebuild in this process, when it failed. */
  readonly lastRebuildError?: string;
}

export type RebuildRequest = 'started' | 'not_found' | 'already_rebuilding';
export type RebuildOutcome =
  | { readonly outcome: 'rebuilt'; readonly events: number; readonly ms: number }
  | { readonly outcome: 'not_found' | 'already_rebuilding' | 'stopped' | 'lost' }
  | { readonly outcome: 'failed'; readonly error: unknown };

export interface ProjectionRunnerOptions {
  /** Events per page read, and per transaction in a backlog and in a rebuild without a batch writer. */
  readonly batchSize?: number;
  /**
   * Events a rebuild folds with a projection's batch writer before it writes them in one
   * transaction. The larger, the fewer rows written twice (an order whose events straddle two
   * writes gets an INSERT and an UPDATE): 100,000 measured about 7% faster than 50,000 on the
   * bench's orders, and about as fast as 200,000; each write then holds the connection about 0.15 s.
   */
  readonly foldSize?: number;
  /** How often to look for a swap or a rebuild made by another process. */
  readonly watchIntervalMs?: number;
}

const isAlive = (rebuild: RebuildCopy) => isRebuildOwnerAlive(rebuild.owner, rebuild.heartbeatAt);

/**
 * Every read model, blue/green. Each has a serving copy, kept live by a keeper; a rebuild fills a
 * new copy from the start of the store while readers keep the old one, and swaps it in atomically
 * once it has caught up. A rebuild starts on request (HTTP, or the CLI in another process), and on
 * start for a read model whose stored version is not the code's, or that is new (built from the
 * history into an empty copy). The catalog of copies lives in the read-model database, so a server
 * notices a swap made by the CLI and follows the new copy.
 */
export class ProjectionRunner {
  private readonly catalog: ProjectionCatalog;
  private readonly keepers = new Map<string, ProjectionKeeper>();
  private readonly rebuilds = new Map<string, Promise<RebuildOutcome>>();
  private readonly lastErrors = new Map<string, string>();
  private readonly waiters = new Set<() => void>();
  /** Rung when what `status()` answers may have changed: events applied, a rebuild started or ended, a copy swapped. */
  readonly changes = new CommitSignal();
  /** The owner of each rebuild last seen in the catalog, so that one started or ended elsewhere rings `changes`. */
  private readonly rebuildOwnersSeen = new Map<string, string | undefined>();
  private started = false;
  private readonly batchSize: number;
  private readonly foldSize: number;
  private readonly watchIntervalMs: number;
  private watch: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
    private readonly logger: Logger,
    options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2000;
    this.foldSize = options.foldSize ?? 100_000;
    this.watchIntervalMs = options.watchIntervalMs ?? 250;
    this.catalog = new ProjectionCatalog(db);
    const commits = new ReadModelCommits(db);
    const tables = projections.flatMap((projection) => projection.tables);
    if (new Set(tables).size !== tables.length) throw new Error(`two read models claim one table: ${tables.join(', ')}`);
    for (const projection of projections) {
      this.catalog.ensure(projection);
      const keeper = new ProjectionKeeper(
        { store, db, catalog: this.catalog, commits, batchSize: this.batchSize, logger, onApplied: () => this.wakeWaiters() },
        projection,
      );
      this.keepers.set(projection.name, keeper);
    }
  }

  /** The names of the read models, in their order of registration. */
  names(): string[] {
    return this.projections.map((projection) => projection.name);
  }

  /**
   * Before the start: a read model whose checkpoint is past the head of its category in the store is
   * reset to an empty copy, refilled from the start once the keepers run. Answers the names reset.
   */
  async resetCopiesAhead(): Promise<string[]> {
    const reset: string[] = [];
    for (const projection of this.projections) {
      const checkpoint = this.catalog.live(projection.name)?.checkpoint;
      if (checkpoint === undefined) continue;
      const head = await this.store.headCheckpoint({ kind: 'category', category: projection.category });
      if (checkpoint <= head) continue;
      if (this.catalog.resetLive(projection, (current) => current !== undefined && current > head)) {
        this.logger.warn({ projection: projection.name, checkpoint: checkpoint.toString(), head: head.toString() }, 'read model was ahead of the store; reset, to be refilled from the start');
        reset.push(projection.name);
      }
    }
    return reset;
  }

  /** Starts every keeper; once (a second call, as when the read models were started ahead of the rest, does nothing). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.catalog.dropDeadRebuilds(isAlive);
    for (const keeper of this.keepers.values()) keeper.start();
    this.look();
    this.watch = setInterval(() => this.look(), this.watchIntervalMs);
    this.watch.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    await Promise.all([...this.keepers.values()].map((keeper) => keeper.stop()));
    await Promise.allSettled([...this.rebuilds.values()]);
  }

  /**
   * Forgets a subject's personal data in every read model that keeps some, in the serving copy, at
   * once; 'rebuilding' (nothing done) while such a read model is being rebuilt, whose copy may hold
   * fields read before the key was destroyed.
   */
  erasePersonalData(subject: string): 'erased' | 'rebuilding' {
    const keepers = this.projections.filter((projection) => projection.erasePersonalData !== undefined);
    if (keepers.some((projection) => this.catalog.rebuildOf(projection.name) !== undefined)) return 'rebuilding';
    this.db.transaction(() => {
      for (const projection of keepers) {
        const live = this.catalog.live(projection.name);
        if (live !== undefined) projection.erasePersonalData!(this.db, physicalNames(live.tables, live.generation), subject);
      }
    })();
    return 'erased';
  }

  /** Starts a rebuild in the background. */
  requestRebuild(name: string): RebuildRequest {
    const projection = this.projections.find((candidate) => candidate.name === name);
    if (projection === undefined) return 'not_found';
    return this.claim(projection) === 'busy' ? 'already_rebuilding' : 'started';
  }

  /** Rebuilds a read model and resolves once the new copy serves (or the rebuild could not run). */
  async rebuild(name: string): Promise<RebuildOutcome> {
    const projection = this.projections.find((candidate) => candidate.name === name);
    if (projection === undefined) return { outcome: 'not_found' };
    const claimed = this.claim(projection);
    return claimed === 'busy' ? { outcome: 'already_rebuilding' } : claimed;
  }

  /**
   * Resolves true once the serving copy of the named read model has applied every event of its
   * category up to the global `position` (what an append returned, to any stream), false after the
   * timeout. The keeper counts in category checkpoints, which the store maps the position to (on
   * EventStoreDB they are not positions).
   */
  async waitFor(name: string, position: bigint, timeoutMs = 2000): Promise<boolean> {
    const keeper = this.keepers.get(name);
    if (keeper === undefined) return false;
    const deadline = Date.now() + timeoutMs;
    let checkpoint: bigint | undefined;
    try {
      checkpoint = await this.store.checkpointAt({ kind: 'category', category: keeper.projection.category }, position, { timeoutMs });
    } catch (error) {
      // The write it waits for is committed already: a store that cannot answer now must not fail it.
      this.logger.warn({ err: error, readModel: name }, 'could not wait for the read model to apply a write');
      return false;
    }
    if (checkpoint === undefined) return false;
    return this.waitForCheckpoint(keeper, checkpoint, deadline);
  }

  /**
   * Resolves true once the serving copy of the named read model has applied every event its category
   * held when asked (a reader that must not miss a write it did not make itself), false after the timeout.
   */
  async catchUp(name: string, timeoutMs = 2000): Promise<boolean> {
    const keeper = this.keepers.get(name);
    if (keeper === undefined) return false;
    const deadline = Date.now() + timeoutMs;
    let head: bigint;
    try {
      head = await this.store.headCheckpoint({ kind: 'category', category: keeper.projection.category });
    } catch (error) {
      this.logger.warn({ err: error, readModel: name }, 'could not learn the head the read model should catch up to');
      return false;
    }
    return this.waitForCheckpoint(keeper, head, deadline);
  }

  private async waitForCheckpoint(keeper: ProjectionKeeper, checkpoint: bigint, deadline: number): Promise<boolean> {
    for (;;) {
      // A copy with no checkpoint has applied nothing: caught up only with an empty category.
      if ((keeper.serving ?? 0n) >= checkpoint) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const waiters = this.waiters;
        function wake() {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        this.waiters.add(wake);
      });
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    return Promise.all(
      this.projections.map(async (projection): Promise<ProjectionStatus> => {
        const live = this.catalog.live(projection.name);
        const rebuild = this.catalog.rebuildOf(projection.name);
        const head = await this.store.headCheckpoint({ kind: 'category', category: projection.category });
        const checkpoint = live?.checkpoint ?? 0n;
        const behind = head > checkpoint ? Number(head - checkpoint) : 0;
        const target = { kind: 'category', category: projection.category } as const;
        const lag = behind === 0 || this.store.countAfter === undefined ? behind : await this.store.countAfter(target, checkpoint, 1_000_000);
        const base = { name: projection.name, version: live?.version ?? projection.version, position: checkpoint.toString(), lag };
        const lastRebuildError = this.lastErrors.get(projection.name);
        const withError = lastRebuildError === undefined ? {} : { lastRebuildError };
        if (rebuild !== undefined && isAlive(rebuild)) {
          const done = rebuild.checkpoint ?? 0n;
          const progress = head === 0n || done >= head ? 1 : Math.floor(Number((done * 1000n) / head)) / 1000;
          return { ...base, status: 'rebuilding', progress };
        }
        const failed = this.keepers.get(projection.name)?.failure !== undefined;
        return { ...base, status: failed ? 'failed' : lag === 0 ? 'live' : 'catching up', ...withError };
      }),
    );
  }

  /** Claims the rebuild and runs it in the background; `busy` while another one (here or elsewhere) runs. */
  private claim(projection: Projection): Promise<RebuildOutcome> | 'busy' {
    if (this.stopped) return 'busy';
    const owner = newRebuildOwner();
    const claimed = this.catalog.claimRebuild(projection, owner, isAlive);
    if (claimed === 'busy') {
      releaseRebuildOwner(owner);
      return 'busy';
    }
    const started = Date.now();
    this.logger.info({ projection: projection.name, version: projection.version }, 'rebuilding read model');
    const running = runRebuild(
      { store: this.store, db: this.db, catalog: this.catalog, batchSize: this.batchSize, foldSize: this.foldSize },
      projection,
      claimed,
      () => this.stopped,
    )
      .then((end: RebuildEnd): RebuildOutcome => {
        if (end.ended !== 'swapped') return { outcome: end.ended };
        const ms = Date.now() - started;
        this.lastErrors.delete(projection.name);
        this.logger.info({ projection: projection.name, events: end.events, ms }, 'read model rebuilt and swapped in');
        this.keepers.get(projection.name)?.poke();
        return { outcome: 'rebuilt', events: end.events, ms };
      })
      .catch((error: unknown): RebuildOutcome => {
        this.lastErrors.set(projection.name, error instanceof Error ? error.message : String(error));
        this.logger.error({ err: error, projection: projection.name }, 'read model rebuild failed; the old copy still serves');
        return { outcome: 'failed', error };
      })
      .finally(() => {
        releaseRebuildOwner(owner);
        this.rebuilds.delete(projection.name);
        this.changes.notify();
      });
    this.rebuilds.set(projection.name, running);
    this.changes.notify();
    return running;
  }

  /** Follows swaps made elsewhere, and starts the rebuild of a read model whose copy is of another version. */
  private look(): void {
    if (this.stopped) return;
    for (const keeper of this.keepers.values()) {
      const { projection } = keeper;
      try {
        const live = this.catalog.live(projection.name);
        if (live?.generation !== keeper.generation) keeper.poke();
        const rebuild = this.catalog.rebuildOf(projection.name);
        if (rebuild?.owner !== this.rebuildOwnersSeen.get(projection.name)) {
          this.rebuildOwnersSeen.set(projection.name, rebuild?.owner);
          this.changes.notify();
        }
        if (live !== undefined && live.version !== projection.version && !this.rebuilds.has(projection.name)) {
          if (rebuild === undefined || !isAlive(rebuild)) this.claim(projection);
        }
      } catch (error) {
        // E.g. the database stayed locked by another process longer than its busy timeout: look again next time.
        this.logger.warn({ err: error, projection: projection.name }, 'could not look at the copies of a read model');
      }
    }
  }

  private wakeWaiters(): void {
    this.changes.notify();
    for (const wake of [...this.waiters]) wake();
  }
}
