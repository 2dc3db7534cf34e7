import type Database from 'better-sqlite3';
import { EventStoreOverloaded, EventStoreUnavailable } from '../errors';
import type { AppendResult } from '../event-store.port';
import { categoryOf } from '../stream-name';
import { type AppendRequest, answerForStoredIds, appendRows, asAppendError, isUniqueIdViolation } from './sqlite-append-rows';
import type { AuditIndexer } from './sqlite-audit-index';
import type { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import type { SqliteStatements } from './sqlite-statements';

interface PendingAppend extends AppendRequest {
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Other writes to the events database (the secrets): they ride along in the next group commit. */
interface PendingWork {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface CommittedBatch {
  readonly outcomes: Array<AppendResult | Error>;
  readonly checkpointsError?: unknown;
  readonly workOutcomes: ReadonlyArray<{ readonly value: unknown } | { readonly error: unknown }>;
}

/**
 * The embedded store's writes: the appends, checkpoints and other writes made in one turn of the
 * event loop commit together in one transaction, each in a savepoint of its own so that one failed
 * check fails only its own write. A promise resolves only after its commit; `committed` hears which
 * categories got events, before the appenders do.
 */
export class SqliteGroupCommit {
  private readonly commitBatch: (batch: readonly PendingAppend[], checkpoints: ReadonlyMap<string, bigint>, work: readonly PendingWork[]) => CommittedBatch;
  private pendingWork: PendingWork[] = [];
  private pending: PendingAppend[] = [];
  private pendingCheckpoints = new Map<string, bigint>();
  private checkpointsSaved: Array<{ readonly resolve: () => void; readonly reject: (error: unknown) => void }> = [];
  private flushScheduled = false;
  private flushed: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * `maxPendingAppends`: appends waiting for the next group commit at most; one more fails at once
   * with `EventStoreOverloaded` (HTTP 503 with Retry-After; the process managers retry it), so a
   * flood cannot queue work, and memory, without bound.
   */
  constructor(
    db: Database.Database,
    statements: SqliteStatements,
    checkpointTable: SqliteCheckpointStore,
    auditIndexer: AuditIndexer,
    private readonly committed: (categories: ReadonlySet<string>) => void,
    private readonly maxPendingAppends: number,
  ) {
    const appendInSavepoint = db.transaction((pending: PendingAppend) => appendRows(statements, pending));
    // A savepoint costs about a third of an insert: an append of one event needs none, as a failed
    // statement undoes itself and leaves the transaction open. One of several events needs one, so
    // that a later event's failure also undoes the earlier ones.
    const appendOne = (pending: PendingAppend): AppendResult | Error => {
      try {
        return pending.events.length > 1 ? appendInSavepoint(pending) : appendRows(statements, pending);
      } catch (error) {
        // An error that ended the transaction (disk full, I/O) must fail the whole batch, not go on outside it.
        if (!db.inTransaction) throw error;
        try {
          return isUniqueIdViolation(error) ? answerForStoredIds(statements, pending, error) : asAppendError(error, pending);
        } catch (answer) {
          return answer instanceof Error ? answer : new Error(String(answer));
        }
      }
    };
    const saveCheckpointsInSavepoint = db.transaction((checkpoints: ReadonlyMap<string, bigint>) => {
      for (const [name, checkpoint] of checkpoints) checkpointTable.saveSync(name, checkpoint);
    });
    const runInSavepoint = db.transaction((run: () => unknown) => run());
    this.commitBatch = db.transaction(
      (batch: readonly PendingAppend[], checkpoints: ReadonlyMap<string, bigint>, work: readonly PendingWork[]): CommittedBatch => {
        const outcomes = batch.map(appendOne);
        auditIndexer.indexIfDue();
        const workOutcomes = work.map((pending) => {
          try {
            return { value: runInSavepoint(pending.run) };
          } catch (error) {
            return { error };
          }
        });
        // In a savepoint of their own: checkpoints that cannot be saved fail their savers, not the turn's appends.
        try {
          saveCheckpointsInSavepoint(checkpoints);
          return { outcomes, workOutcomes };
        } catch (checkpointsError) {
          return { outcomes, workOutcomes, checkpointsError };
        }
      },
    );
  }

  append(stream: string, events: AppendRequest['events'], expected: AppendRequest['expected'], afterEventId: string | undefined): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the event store is closed'));
    if (this.pending.length >= this.maxPendingAppends) {
      return Promise.reject(new EventStoreOverloaded(`${this.maxPendingAppends} appends are waiting for the next commit already`));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ stream, events, expected, afterEventId, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Subscribers save their checkpoints often: they ride along in the appends' group commit. A saver
   * calls this once the effects the checkpoint covers have resolved (so they committed in an earlier
   * transaction, or failed and are not covered).
   */
  saveCheckpoint(name: string, checkpoint: bigint): Promise<void> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the event store is closed'));
    return new Promise((resolve, reject) => {
      this.pendingCheckpoints.set(name, checkpoint);
      this.checkpointsSaved.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Runs a write to the events database inside the next group commit, in a savepoint of its own, and
   * resolves with what it returned once that commit is durable: one sync for all of a turn's writes.
   */
  inNextCommit<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the event store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pendingWork.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  /** Takes no more writes, and resolves once those in hand are committed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushed;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.flushed = new Promise((done) => setImmediate(() => done(this.flush())));
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    const checkpoints = this.pendingCheckpoints;
    const checkpointsSaved = this.checkpointsSaved;
    const work = this.pendingWork;
    this.pending = [];
    this.pendingCheckpoints = new Map();
    this.checkpointsSaved = [];
    this.pendingWork = [];
    let committed: CommittedBatch;
    try {
      committed = this.commitBatch(batch, checkpoints, work);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      for (const saved of checkpointsSaved) saved.reject(error);
      for (const pending of work) pending.reject(error);
      return;
    }
    const { outcomes, checkpointsError, workOutcomes } = committed;
    work.forEach((pending, index) => {
      const outcome = workOutcomes[index]!;
      if ('error' in outcome) pending.reject(outcome.error);
      else pending.resolve(outcome.value);
    });
    const written = new Set<string>();
    batch.forEach((pending, index) => {
      if (!(outcomes[index] instanceof Error) && pending.events.length > 0) written.add(categoryOf(pending.stream));
    });
    this.committed(written);
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if (outcome instanceof Error) pending.reject(outcome);
      else pending.resolve(outcome);
    });
    for (const saved of checkpointsSaved) {
      if (checkpointsError === undefined) saved.resolve();
      else saved.reject(checkpointsError);
    }
  }
}
