import type Database from 'better-sqlite3';
import { CatchUpSubscription } from '../catch-up-subscription';
import { CategorySignals } from '../category-signals';
import { DuplicateEventId, EventStoreOverloaded, EventStoreUnavailable, WrongExpectedVersion } from '../errors';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  ExpectedRevision,
  NewEvent,
  PositionedEvent,
  ReadManyOptions,
  ReadStreamOptions,
  SnapshotStore,
  RecordedEvent,
  ReplayPage,
  SecretStore,
  SubscribeOptions,
  Subscription,
  SubscriptionTarget,
} from '../event-store.port';
import { categoryOf } from '../stream-name';
import { migrateEventStore } from './event-store.schema';
import { openDatabase, type SqliteOptions } from './open-database';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { SqliteSecretStore } from './sqlite-secret-store';
import { SqliteSnapshotStore } from './sqlite-snapshot-store';
import { SqliteEventQuery } from './sqlite-event-query';
import { PageCache } from './page-cache';
import { type EventRow, SqliteStatements, toRecordedEvent, toReplayedEvent } from './sqlite-statements';

interface CommittedBatch {
  readonly outcomes: Array<AppendResult | Error>;
  readonly checkpointsError?: unknown;
  readonly workOutcomes: ReadonlyArray<{ readonly value: unknown } | { readonly error: unknown }>;
}

/** Other writes to the events database (the secrets): they ride along in the next group commit. */
interface PendingWork {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly afterEventId: string | undefined;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const defaultPageSize = 1000;

/**
 * The embedded event store. All writes go through one connection; the appends made in one turn of
 * the event loop commit together in one transaction (group commit), each in a savepoint of its own so
 * that one failed check fails only its own append. A promise resolves only after its commit.
 */
export class SqliteEventStore implements EventStore {
  readonly checkpoints: CheckpointStore;
  readonly snapshots: SnapshotStore;
  readonly secrets: SecretStore;
  /** The audit query (`GET /api/events`), on the same connection. */
  readonly eventQuery: SqliteEventQuery;
  private readonly statements: SqliteStatements;
  private readonly checkpointTable: SqliteCheckpointStore;
  private readonly signals = new CategorySignals();
  private readonly appendInSavepoint: (pending: PendingAppend) => AppendResult;
  private readonly commitBatch: (batch: readonly PendingAppend[], checkpoints: ReadonlyMap<string, bigint>, work: readonly PendingWork[]) => CommittedBatch;
  private pendingWork: PendingWork[] = [];
  private pending: PendingAppend[] = [];
  private pendingCheckpoints = new Map<string, bigint>();
  private checkpointsSaved: Array<{ readonly resolve: () => void; readonly reject: (error: unknown) => void }> = [];
  private readonly pages = new PageCache();
  private flushScheduled = false;
  private flushed: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly subscriptions = new Set<Subscription>();

  static open(options: SqliteOptions & { readonly maxPendingAppends?: number }): SqliteEventStore {
    return new SqliteEventStore(openDatabase(options), options.maxPendingAppends);
  }

  /**
   * `maxPendingAppends`: appends waiting for the next group commit at most; one more fails at once
   * with `EventStoreOverloaded` (HTTP 503 with Retry-After; the process managers retry it), so a
   * flood cannot queue work, and memory, without bound.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly maxPendingAppends = 10_000,
  ) {
    migrateEventStore(db);
    this.statements = new SqliteStatements(db);
    this.checkpointTable = new SqliteCheckpointStore(db, 'subscription_checkpoints');
    this.checkpoints = {
      load: (name) => this.checkpointTable.load(name),
      save: (name, checkpoint) => this.saveCheckpoint(name, checkpoint),
    };
    this.snapshots = new SqliteSnapshotStore(db);
    this.secrets = new SqliteSecretStore(db, (work) => this.inNextCommit(work));
    this.eventQuery = new SqliteEventQuery(db);
    this.appendInSavepoint = db.transaction((pending: PendingAppend) => this.appendNow(pending));
    const saveCheckpointsInSavepoint = db.transaction((checkpoints: ReadonlyMap<string, bigint>) => {
      for (const [name, checkpoint] of checkpoints) this.checkpointTable.saveSync(name, checkpoint);
    });
    const runInSavepoint = db.transaction((run: () => unknown) => run());
    this.commitBatch = db.transaction(
      (batch: readonly PendingAppend[], checkpoints: ReadonlyMap<string, bigint>, work: readonly PendingWork[]): CommittedBatch => {
        const outcomes = batch.map((pending) => {
          try {
            return this.appendInSavepoint(pending);
          } catch (error) {
            return asAppendError(error, pending);
          }
        });
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

  readonly chainsAppends = true;

  /**
   * The log's own database, for what must be exactly as durable as the checkpoints and kept beside
   * them: the process managers' dead letters. Written outside a group commit only (a write there
   * commits, and under synchronous=FULL is on disk, before the call returns).
   */
  get database(): Database.Database {
    return this.db;
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision = 'any', options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the event store is closed'));
    if (this.pending.length >= this.maxPendingAppends) {
      return Promise.reject(new EventStoreOverloaded(`${this.maxPendingAppends} appends are waiting for the next commit already`));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ stream, events, expected, afterEventId: options.afterEventId, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Subscribers save their checkpoints often: they ride along in the appends' group commit. A saver
   * calls this once the effects the checkpoint covers have resolved (so they committed in an earlier
   * transaction, or failed and are not covered).
   */
  private saveCheckpoint(name: string, checkpoint: bigint): Promise<void> {
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
  private inNextCommit<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the event store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pendingWork.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.flushed = new Promise((done) => setImmediate(() => done(this.flush())));
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.statements.streamBackwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : options.maxCount === undefined
          ? this.statements.streamRest.all(stream, options.fromRevision ?? 0)
          : this.statements.streamForwards.all(stream, options.fromRevision ?? 0, limit);
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    this.assertOpen();
    return this.statements.allAfter.all(options.after ?? 0n, options.maxCount ?? defaultPageSize).map(toPositioned);
  }

  async readCategory(category: string, options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    this.assertOpen();
    return this.statements.categoryAfter
      .all(category, options.after ?? 0n, options.maxCount ?? defaultPageSize)
      .map(toPositioned);
  }

  /** Reads only the columns of a `ReplayedEvent`: about a quarter less time than `readCategory`, most of it the metadata not parsed. */
  async replayCategory(category: string, options: ReadManyOptions = {}): Promise<ReplayPage> {
    this.assertOpen();
    const events = this.statements.categoryReplay
      .all(category, options.after ?? 0n, options.maxCount ?? defaultPageSize)
      .map(toReplayedEvent);
    return { events, checkpoint: events[events.length - 1]?.position };
  }

  async readEventType(type: string, options: ReadManyOptions = {}): Promise<PositionedEvent[]> {
    this.assertOpen();
    return this.statements.typeAfter.all(type, options.after ?? 0n, options.maxCount ?? defaultPageSize).map(toPositioned);
  }

  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    const row = this.statements.byId.get(eventId);
    return row === undefined ? undefined : toRecordedEvent(row);
  }

  subscribe({ to, after }: SubscribeOptions): Subscription {
    const signal = to.kind === 'all' ? this.signals.all : this.signals.of(to.category);
    // Subscribers of one category usually stand at the same checkpoint: after a commit, they read one shared page.
    const read =
      to.kind === 'all'
        ? (from: bigint | undefined, maxCount: number) => this.readAll({ after: from, maxCount })
        : (from: bigint | undefined, maxCount: number) =>
            this.pages.read(to.category, signal.count, from, maxCount, () => this.readCategory(to.category, { after: from, maxCount }));
    const subscription = new CatchUpSubscription({ read, signal, after });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headCheckpoint(target: SubscriptionTarget): Promise<bigint> {
    const row =
      target.kind === 'all' ? this.statements.headOfAll.get() : this.statements.headOfCategory.get(target.category);
    return BigInt(row?.position ?? 0);
  }

  /** Positions count every category's events: the lag in events is counted (an index range, capped). */
  async countAfter(target: SubscriptionTarget, after: bigint, cap: number): Promise<number> {
    const row =
      target.kind === 'all'
        ? this.statements.countOfAllAfter.get(after, cap)
        : this.statements.countOfCategoryAfter.get(target.category, after, cap);
    return row?.count ?? 0;
  }

  /**
   * Checkpoints are global positions here: a subscriber to `$all` has seen the position once it is
   * there, a category's subscriber once it is at its category's newest event at or before it (the
   * position may be of another category's event). A position the store has not reached yet is
   * waited for, up to `timeoutMs` (undefined after).
   */
  async checkpointAt(target: SubscriptionTarget, position: bigint, options: { readonly timeoutMs?: number } = {}): Promise<bigint | undefined> {
    const deadline = Date.now() + (options.timeoutMs ?? 0);
    for (;;) {
      this.assertOpen();
      const seen = this.signals.all.count;
      if (BigInt(this.statements.headOfAll.get()?.position ?? 0) >= position) break;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.signals.all.wait(seen, left);
    }
    if (target.kind === 'all') return position;
    return BigInt(this.statements.categoryAtOrBefore.get(target.category, position)?.position ?? 0);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new EventStoreUnavailable('the event store is closed');
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.flushed;
    this.db.close();
  }

  /** Reads go on while the store closes (appends in hand are still being committed), and fail as unavailable after. */
  private assertOpen(): void {
    if (!this.db.open) throw new EventStoreUnavailable('the event store is closed');
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
    this.signals.notify(written);
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

  private appendNow({ stream, events, expected, afterEventId }: PendingAppend): AppendResult {
    const first = events[0];
    if (first !== undefined) {
      const stored = this.statements.locateById.get(first.id);
      if (stored !== undefined) return this.alreadyAppended(stream, events, expected, stored);
    }
    const head = this.statements.streamHead.get(stream);
    const actual = head === undefined ? 'no_stream' : head.revision;
    if (!satisfies(expected, actual) || (afterEventId !== undefined && head?.id !== afterEventId)) {
      throw new WrongExpectedVersion(stream, expected, actual);
    }
    if (events.length === 0) {
      return { nextExpectedRevision: head?.revision ?? -1, position: BigInt(head?.position ?? 0) };
    }
    const category = categoryOf(stream);
    const createdAt = Date.now();
    let revision = head?.revision ?? -1;
    let position: number | bigint = 0;
    for (const event of events) {
      revision++;
      position = this.statements.insert.run(
        event.id,
        stream,
        category,
        revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata ?? {}),
        createdAt,
        typeof event.metadata?.schemaVersion === 'number' ? event.metadata.schemaVersion : null,
      ).lastInsertRowid;
    }
    return { nextExpectedRevision: revision, position: BigInt(position) };
  }

  /** A retried append of events already stored at that place succeeds again without writing, as on EventStoreDB. */
  private alreadyAppended(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    stored: { stream: string; revision: number },
  ): AppendResult {
    if (stored.stream !== stream) throw new DuplicateEventId(events[0]!.id, stored.stream);
    const exact = expected === 'no_stream' ? -1 : typeof expected === 'number' ? expected : undefined;
    if (exact !== undefined && stored.revision !== exact + 1) {
      // EventStoreDB checks ids only at the place the expected revision names: elsewhere it would store them again.
      const head = this.statements.streamHead.get(stream);
      if (head !== undefined && head.revision === exact) throw new DuplicateEventId(events[0]!.id, `${stream}@${stored.revision}`);
      throw new WrongExpectedVersion(stream, expected, head?.revision ?? 'no_stream');
    }
    const rows = this.statements.streamForwards.all(stream, stored.revision, events.length);
    const same = rows.length === events.length && rows.every((row, index) => row[1] === events[index]!.id);
    if (!same) {
      const head = this.statements.streamHead.get(stream);
      throw new WrongExpectedVersion(stream, expected, head?.revision ?? 'no_stream');
    }
    const [position, , , revision] = rows[rows.length - 1]!;
    return { nextExpectedRevision: revision, position: BigInt(position) };
  }
}

const satisfies = (expected: ExpectedRevision, actual: number | 'no_stream'): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
};

const asAppendError = (error: unknown, { events }: PendingAppend): Error => {
  if (isUniqueIdViolation(error)) {
    return new DuplicateEventId(events.map((event) => event.id).join(', '), 'another place in the store');
  }
  return error instanceof Error ? error : new Error(String(error));
};

const isUniqueIdViolation = (error: unknown): boolean =>
  error instanceof Error &&
  (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
  error.message.includes('events.id');

const toPositioned = (row: EventRow): PositionedEvent => {
  const event = toRecordedEvent(row);
  return { event, checkpoint: event.position };
};
