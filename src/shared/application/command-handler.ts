import { WrongExpectedVersion } from '../../event-store/errors';
import type { EventMetadata, EventStore, NewEvent, RecordedEvent } from '../../event-store/event-store.port';
import { categoryOf } from '../../event-store/stream-name';
import { type Decider, type DomainEvent, isRejection, type Rejection } from '../domain/decider';
import { deterministicId, newEventId } from './event-ids';
import { KeyedQueue } from './keyed-queue';
import { LruCache } from './lru-cache';

export interface CommandContext {
  /** The order id for everything in an order's life. */
  readonly correlationId: string;
  /** The event (or request) that caused this command. */
  readonly causationId: string;
  /**
   * When true, the ids of the events this command appends derive from the causation id, so that a
   * retried append whose first answer was lost is recognised by the store (the port's one promise of
   * idempotence). A redelivered cause is recognised by the decider's state or an `AppendGuard`.
   */
  readonly deterministicIds?: boolean;
  readonly metadata?: Record<string, unknown>;
  /**
   * HTTP `If-Match`: decide only if the stream is at one of these revisions, else `PreconditionFailed`
   * and nothing is appended. The append's expected revision is the one checked, so no other writer
   * can slip in between.
   */
  readonly ifMatch?: readonly number[];
}

export type CommandResult<State, Event extends DomainEvent> =
  | {
      readonly accepted: true;
      readonly state: State;
      /** What this command appended; empty when the decider found nothing left to do. */
      readonly events: readonly Event[];
      readonly eventIds: readonly string[];
      readonly revision: number;
      readonly position: bigint | undefined;
      /** The guard found this command's effect already in the stream: nothing was decided nor appended. */
      readonly effectFound?: RecordedEvent;
    }
  | { readonly accepted: false; readonly rejection: Rejection; readonly state: State; readonly revision: number };

export class ConcurrencyConflict extends Error {
  override readonly name = 'ConcurrencyConflict';
}

/** The stream is not at a revision the command's `ifMatch` names. */
export class PreconditionFailed extends Error {
  override readonly name = 'PreconditionFailed';

  constructor(
    readonly stream: string,
    readonly revision: number,
  ) {
    super(`it has changed since: it is at version "${revision}" now`);
  }
}

interface Cached<State = unknown> {
  readonly state: State;
  readonly revision: number;
  /** The newest revision learned by reading the store; what this handler appended after it is its own. */
  readonly readUpTo: number;
  /** Committed up to here; past it, appends still in flight. */
  readonly durable: number;
  /** The id of this handler's newest append to the stream, while it may still be in flight. */
  readonly lastId?: string;
}

/**
 * For an effect that two streams record (an order's hold on a product, say) when the stream that
 * knows whether the effect happened is not the one it is appended to: the command is appended only
 * if no event after `after` is that effect. The events looked at and the expected revision of the
 * append are the same, so no run of the command can slip in between.
 */
export interface AppendGuard {
  /** No event up to this revision can be the effect (the revision the stream had before the effect was asked for). */
  readonly after: number;
  readonly isEffect: (event: RecordedEvent) => boolean;
  /**
   * True for a run that may repeat an earlier one (a retry, a redelivery): every event after `after`
   * is looked at. False for a first run in this process: only events learned from the store are
   * (another process's), not those this handler appended for other commands.
   */
  readonly mayRepeat: boolean;
}

/** Streams of a category whose states are snapshotted every `every` events, in a state shape of `version`. */
export interface SnapshotPolicy {
  readonly every: number;
  readonly version: number;
}

export interface CommandHandlerOptions {
  readonly maxRetries?: number;
  readonly cacheSize?: number;
  /** By category. A snapshot only saves reading: losing one changes no state. */
  readonly snapshots?: Readonly<Record<string, SnapshotPolicy>>;
}

const guardPageSize = 256;

/**
 * Read → fold → decide → append with the expected revision, retried on a conflict. Commands on one
 * stream run one at a time in this process, so they do not conflict with each other; the expected
 * revision still guards against every other writer. The folded state of recent streams is kept, so
 * a command on a recent stream reads nothing before it decides, and a read of one reads only the
 * events appended since (usually none) instead of the whole stream.
 */
export class CommandHandler {
  private readonly queue = new KeyedQueue();
  /** Per stream, the newest append not yet committed (settles either way). */
  private readonly appending = new Map<string, Promise<void>>();
  private readonly cache: LruCache<Cached>;
  private readonly maxRetries: number;
  private readonly snapshots: Readonly<Record<string, SnapshotPolicy>>;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 5;
    this.cache = new LruCache(options.cacheSize ?? 10000);
    this.snapshots = options.snapshots ?? {};
  }

  /**
   * Commands on one stream are decided one at a time, but their appends are pipelined: the next
   * command decides on the state the previous one will leave and appends at the revision after it,
   * without waiting for its commit, so a hot stream's appends share the store's group commit. If an
   * append fails, those behind it fail their expected revision and are decided again.
   */
  async handle<State, Command, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: Command,
    context: CommandContext,
    guard?: AppendGuard,
  ): Promise<CommandResult<State, Event>> {
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const step = await this.queue.run(stream, () => this.decideInTurn(decider, stream, command, context, guard, attempt));
      if (!('committing' in step)) return step;
      try {
        return await step.committing;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
      }
    }
    throw new ConcurrencyConflict(`stream ${stream} kept changing; gave up after ${this.maxRetries + 1} attempts`);
  }

  /** The guarded effect, if some event of the stream after `guard.after` is it (every one is looked at). */
  /** Drops a stream's cached state: the next read folds it from the store again (after an erasure, say). */
  forget(stream: string): void {
    this.cache.delete(stream);
  }

  findEffect(stream: string, guard: Pick<AppendGuard, 'after' | 'isEffect'>): Promise<RecordedEvent | undefined> {
    return this.queue.run(stream, async () => {
      const [head] = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      return head === undefined ? undefined : this.scanForEffect(stream, { ...guard, mayRepeat: true }, head.revision);
    });
  }

  /**
   * The current state of a stream, folded; the same cache serves commands and reads. It counts this
   * handler's appends still in flight unless `committed`; `durableRevision` is the revision known to be committed.
   */
  load<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    stream: string,
    options: { readonly committed?: boolean } = {},
  ): Promise<{ state: State; revision: number; durableRevision: number }> {
    return this.queue.run(stream, async () => {
      // `committed`: a state no append in flight can take back (to report, not to decide on).
      if (options.committed === true) await this.appending.get(stream);
      const { state, revision, durable } = await this.refresh(decider, stream);
      return { state, revision, durableRevision: durable };
    });
  }

  /**
   * A revision the stream is known to have committed, at or below its head: from the cache without
   * a read when the stream is cached (where another process may have appended since).
   */
  async committedRevision<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<number> {
    const cached = this.cache.get(stream) as Cached | undefined;
    return cached !== undefined ? cached.durable : (await this.load(decider, stream)).durableRevision;
  }

  private async decideInTurn<State, Command, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: Command,
    context: CommandContext,
    guard: AppendGuard | undefined,
    attempt: number,
  ): Promise<CommandResult<State, Event> | { committing: Promise<CommandResult<State, Event>> }> {
    // Optimistic: a cached state is decided on as it is, and the expected revision catches a
    // writer elsewhere (then the stream is read again); only a retry or a cold stream reads first.
    let cached = attempt === 0 ? (this.cache.get(stream) as Cached<State> | undefined) : undefined;
    let awaited: Promise<void> | undefined;
    for (;;) {
      const { state, revision, readUpTo } = cached ?? (await this.refresh(decider, stream));
      if (context.ifMatch !== undefined && !context.ifMatch.includes(revision)) {
        // A cached revision may be behind another process's writes: refuse only on what the store holds.
        if (cached !== undefined) {
          cached = undefined;
          continue;
        }
        throw new PreconditionFailed(stream, revision);
      }
      if (guard !== undefined) {
        const effectFound = await this.scanForEffect(stream, guard, guard.mayRepeat ? revision : Math.min(readUpTo, revision));
        if (effectFound !== undefined) return { accepted: true, state, events: [], eventIds: [], revision, position: undefined, effectFound };
      }
      const decision = decider.decide(command, state);
      if (isRejection(decision) || decision.length === 0) {
        // Appends still in flight may fail, and a refusal or a no-op appends nothing that a revision
        // check would catch: decide it on what is committed, and fresh.
        const inFlight = this.appending.get(stream);
        if (inFlight !== undefined && inFlight !== awaited) {
          awaited = inFlight;
          await inFlight;
          cached = undefined;
          continue;
        }
        if (cached !== undefined && (await this.isStale(stream, revision))) {
          cached = undefined;
          continue;
        }
        if (isRejection(decision)) return { accepted: false, rejection: decision, state, revision };
        return { accepted: true, state, events: [], eventIds: [], revision, position: undefined };
      }
      const committing = this.append(decider, stream, state, revision, readUpTo, decision, context);
      // Only a store that can chain an append to the one before it may have the next one decided before this commits.
      return this.store.chainsAppends === true ? { committing } : committing;
    }
  }

  /** Starts the append and moves the cached state past it at once; answers once it is committed. */
  private append<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    stream: string,
    state: State,
    revision: number,
    readUpTo: number,
    decision: readonly Event[],
    context: CommandContext,
  ): Promise<CommandResult<State, Event>> {
    const newEvents = this.toNewEvents(stream, decision, context);
    const next = decision.reduce(decider.evolve, state);
    const expected = revision + newEvents.length;
    const previous = this.cache.get(stream) as Cached | undefined;
    const durable = previous?.durable ?? revision;
    // Behind an append of ours still in flight: only if that one is committed.
    const afterEventId = previous !== undefined && previous.durable < revision ? previous.lastId : undefined;
    this.cache.set(stream, { state: next, revision: expected, readUpTo, durable, lastId: newEvents[newEvents.length - 1]!.id });
    const options = afterEventId === undefined ? undefined : { afterEventId };
    const committing = this.store.append(stream, newEvents, revision === -1 ? 'no_stream' : revision, options).then(
      (appended): CommandResult<State, Event> => {
        const current = this.cache.get(stream) as Cached | undefined;
        if (current !== undefined && current.durable < expected) this.cache.set(stream, { ...current, durable: Math.min(expected, current.revision) });
        this.snapshotIfDue(stream, revision, expected, next);
        return { accepted: true, state: next, events: decision, eventIds: newEvents.map((event) => event.id), revision: expected, position: appended.position };
      },
      (error: unknown) => {
        // What was decided on this append's state is stale now; the appends behind it fail their revision.
        const current = this.cache.get(stream) as Cached | undefined;
        if (current !== undefined && current.revision >= expected) this.cache.delete(stream);
        throw error;
      },
    );
    const settled = committing.then(
      () => undefined,
      () => undefined,
    );
    this.appending.set(stream, settled);
    void settled.then(() => {
      if (this.appending.get(stream) === settled) this.appending.delete(stream);
    });
    return committing;
  }

  /** The first event in (`guard.after`, `upTo`] that is the guarded effect: pages read forwards, so a found effect ends the read early. */
  private async scanForEffect(stream: string, guard: AppendGuard, upTo: number): Promise<RecordedEvent | undefined> {
    for (let from = guard.after + 1; from <= upTo; from += guardPageSize) {
      const page = await this.store.readStream(stream, { fromRevision: from, maxCount: Math.min(guardPageSize, upTo - from + 1) });
      const found = page.find((event) => event.revision <= upTo && guard.isEffect(event));
      if (found !== undefined || page.length === 0) return found;
    }
    return undefined;
  }

  private async isStale(stream: string, revision: number): Promise<boolean> {
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1, maxCount: 1 });
    return newer.length > 0;
  }

  private async refresh<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<Cached<State>> {
    const cached = (this.cache.get(stream) as Cached<State> | undefined) ?? (await this.fromSnapshot<State>(stream));
    let state = cached?.state ?? decider.initialState;
    let revision = cached?.revision ?? -1;
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1 });
    for (const recorded of newer) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as Event);
      revision = recorded.revision;
    }
    const refreshed = {
      state,
      revision,
      readUpTo: newer.length > 0 ? revision : (cached?.readUpTo ?? revision),
      durable: newer.length > 0 ? revision : (cached?.durable ?? revision),
      ...(newer.length === 0 && cached?.lastId !== undefined ? { lastId: cached.lastId } : {}),
    };
    // An empty stream is kept too: a command reads it, then decides on it (a new order's, payment's, shipment's).
    this.cache.set(stream, refreshed);
    if (newer.length > 0) this.snapshotIfDue(stream, cached?.revision ?? -1, revision, state);
    return refreshed;
  }

  private async fromSnapshot<State>(stream: string): Promise<Cached<State> | undefined> {
    const policy = this.snapshots[categoryOf(stream)];
    if (policy === undefined) return undefined;
    const snapshot = await this.store.snapshots.load(stream);
    if (snapshot === undefined || snapshot.version !== policy.version) return undefined;
    return { state: snapshot.state as State, revision: snapshot.revision, readUpTo: snapshot.revision, durable: snapshot.revision };
  }

  /** Saves a snapshot each time the revision passes a multiple of the policy's `every`; in the background, as it only saves reading. */
  private snapshotIfDue(stream: string, from: number, to: number, state: unknown): void {
    const policy = this.snapshots[categoryOf(stream)];
    if (policy === undefined || Math.floor((from + 1) / policy.every) === Math.floor((to + 1) / policy.every)) return;
    this.store.snapshots.save(stream, { revision: to, version: policy.version, state }).catch(() => undefined);
  }

  private toNewEvents(stream: string, events: readonly DomainEvent[], context: CommandContext): NewEvent[] {
    const metadata: EventMetadata = {
      correlationId: context.correlationId,
      causationId: context.causationId,
      schemaVersion: 1,
      ...context.metadata,
    };
    return events.map((event, index) => ({
      id: context.deterministicIds === true ? deterministicId(context.causationId, `${stream}#${index}`) : newEventId(),
      type: event.type,
      data: event.data,
      metadata,
    }));
  }
}
