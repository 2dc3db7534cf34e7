import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EventStore, PositionedEvent, Subscription } from '../../event-store/event-store.port';
import { SqliteCheckpointStore } from '../../event-store/sqlite/sqlite-checkpoint-store';
import type { Projection } from './projection';

interface Running {
  readonly projection: Projection;
  readonly subscription: Subscription;
  checkpoint: bigint;
  readonly done: Promise<void>;
  failure?: unknown;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly position: string;
  readonly lag: number;
  readonly status: 'live' | 'catching up' | 'failed';
}

const checkpointName = (projection: Projection) => `projection:${projection.name}`;

/** Keeps every read model up to date from its own catch-up subscription and checkpoint. */
export class ProjectionRunner {
  private readonly checkpoints: SqliteCheckpointStore;
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly store: EventStore,
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
    private readonly logger: Logger,
  ) {
    this.checkpoints = new SqliteCheckpointStore(db, 'projection_checkpoints');
    for (const projection of projections) projection.setup(db);
  }

  start(): void {
    for (const projection of this.projections) {
      const after = this.checkpoints.loadSync(checkpointName(projection));
      const subscription = this.store.subscribe({ to: { kind: 'category', category: projection.category }, after });
      const running: Running = {
        projection,
        subscription,
        checkpoint: after ?? 0n,
        done: Promise.resolve(),
      };
      (running as { done: Promise<void> }).done = this.consume(running);
      this.running.set(projection.name, running);
    }
  }

  async stop(): Promise<void> {
    const all = [...this.running.values()];
    await Promise.all(all.map((running) => running.subscription.close()));
    await Promise.all(all.map((running) => running.done));
    this.running.clear();
  }

  /** Resolves once the named read model has applied everything up to `position` of its category, or after the timeout. */
  async waitFor(name: string, position: bigint, timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = this.running.get(name);
      if (running === undefined || running.checkpoint >= position) return running !== undefined;
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
      this.projections.map(async (projection) => {
        const running = this.running.get(projection.name);
        const checkpoint = running?.checkpoint ?? this.checkpoints.loadSync(checkpointName(projection)) ?? 0n;
        const head = await this.store.headCheckpoint({ kind: 'category', category: projection.category });
        const lag = head > checkpoint ? Number(head - checkpoint) : 0;
        const status = running?.failure !== undefined ? 'failed' : lag === 0 ? 'live' : 'catching up';
        return { name: projection.name, position: checkpoint.toString(), lag, status };
      }),
    );
  }

  private async consume(running: Running): Promise<void> {
    const { projection } = running;
    const applyAndCheckpoint = this.db.transaction((positioned: PositionedEvent) => {
      projection.apply(this.db, positioned.event);
      this.checkpoints.saveSync(checkpointName(projection), positioned.checkpoint);
    });
    try {
      for await (const positioned of running.subscription) {
        applyAndCheckpoint(positioned);
        running.checkpoint = positioned.checkpoint;
        for (const wake of [...this.waiters]) wake();
      }
    } catch (error) {
      running.failure = error;
      this.logger.error({ err: error, projection: projection.name }, 'read model stopped on an error');
    }
  }
}
