import type Database from 'better-sqlite3';
import { CatchUpSubscription } from '../catch-up-subscription';
import { CategorySignals } from '../category-signals';
import { EventStoreUnavailable } from '../errors';
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
import { migrateEventStore } from './event-store.schema';
import { openDatabase, type SqliteOptions } from './open-database';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { SqliteSecretStore } from './sqlite-secret-store';
import { SqliteSnapshotStore } from './sqlite-snapshot-store';
import { SqliteEventQuery } from './sqlite-event-query';
import { PageCache } from './page-cache';
import { SqliteGroupCommit } from './sqlite-group-commit';
import { AuditIndexer } from './sqlite-audit-index';
import { type EventRow, SqliteStatements, toRecordedEvent, toReplayedEvent } from './sqlite-statements';

const defaultPageSize = 1000;

/**
 * The embedded event store. All writes go through one connection, in group commits
 * (`SqliteGroupCommit`); reads, subscriptions and checkpoints are served here.
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
  private readonly writes: SqliteGroupCommit;
  private readonly pages = new PageCache();
  private closed = false;
  private readonly subscriptions = new Set<Subscription>();

  static open(options: SqliteOptions & { readonly maxPendingAppends?: number; readonly auditBatch?: number }): SqliteEventStore {
    return new SqliteEventStore(openDatabase(options), options.maxPendingAppends, options.auditBatch);
  }

  /** `maxPendingAppends`: see `SqliteGroupCommit`; `auditBatch`: see `AuditIndexer`. */
  constructor(
    private readonly db: Database.Database,
    private readonly maxPendingAppends = 10_000,
    auditBatch?: number,
  ) {
    migrateEventStore(db);
    this.statements = new SqliteStatements(db);
    this.checkpointTable = new SqliteCheckpointStore(db, 'subscription_checkpoints');
    this.writes = new SqliteGroupCommit(
      db,
      this.statements,
      this.checkpointTable,
      new AuditIndexer(db, auditBatch),
      (categories) => this.signals.notify(categories),
      maxPendingAppends,
    );
    this.checkpoints = {
      load: (name) => this.checkpointTable.load(name),
      save: (name, checkpoint) => this.writes.saveCheckpoint(name, checkpoint),
    };
    this.snapshots = new SqliteSnapshotStore(db);
    this.secrets = new SqliteSecretStore(db, (work) => this.writes.inNextCommit(work));
    this.eventQuery = new SqliteEventQuery(db);
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
    return this.writes.append(stream, events, expected, options.afterEventId);
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
    const { events } = await this.eventQuery.find({ eventType: type, after: options.after, limit: options.maxCount ?? defaultPageSize });
    return events.map((event) => ({ event, checkpoint: event.position }));
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
    await this.writes.close();
    this.db.close();
  }

  /** Reads go on while the store closes (appends in hand are still being committed), and fail as unavailable after. */
  private assertOpen(): void {
    if (!this.db.open) throw new EventStoreUnavailable('the event store is closed');
  }
}

const toPositioned = (row: EventRow): PositionedEvent => {
  const event = toRecordedEvent(row);
  return { event, checkpoint: event.position };
};
