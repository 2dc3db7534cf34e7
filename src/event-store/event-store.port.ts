/**
 * The event store port. Shaped after EventStoreDB's semantics, the production store, so that the
 * embedded SQLite adapter and the EventStoreDB adapter honour one contract.
 */

/** `any`: no check; `no_stream`: the stream must not exist; `stream_exists`: it must; a number: its last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Schema version of the event type; 1 when absent. */
  readonly schemaVersion?: number;
  readonly [key: string]: unknown;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A uuid; time-ordered (v7) ids keep the id index cheap. For what re-appending the same ids does, see `EventStore.append`. */
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata?: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly type: Type;
  readonly streamName: string;
  /** 0-based position of the event in its stream. */
  readonly revision: number;
  /** Position in the whole store, increasing in store order. */
  readonly position: bigint;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly createdAt: Date;
}

/**
 * An event as delivered by a read or subscription over many streams, with the checkpoint to resume
 * after it. On the embedded store the checkpoint is the global position; on EventStoreDB, for
 * `$ce-`/`$et-` reads it is the position of the link event, not of the event it resolves to.
 */
export interface PositionedEvent {
  readonly event: RecordedEvent;
  readonly checkpoint: bigint;
}

/**
 * What a replay reads of an event: no id, revision or metadata, which read models do not use; only
 * the schema version it was written with (absent: 1), so that it can be upcast.
 */
export type ReplayedEvent = Pick<RecordedEvent, 'type' | 'streamName' | 'position' | 'data' | 'createdAt'> & { readonly schemaVersion?: number };

/** A page of a replay: its events, and the checkpoint to resume after (undefined for an empty page). */
export interface ReplayPage {
  readonly events: readonly ReplayedEvent[];
  readonly checkpoint: bigint | undefined;
}

export interface AppendResult {
  /** The stream's last revision after the append: pass it as the next expected revision. */
  readonly nextExpectedRevision: number;
  /** Global position of the last event appended (of the stream's head for an empty append). */
  readonly position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Inclusive; defaults to the first (forwards) or last (backwards) revision. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadManyOptions {
  /** Exclusive checkpoint; omitted reads from the start. */
  readonly after?: bigint;
  readonly maxCount?: number;
}

export type SubscriptionTarget =
  | { readonly kind: 'all' }
  | { readonly kind: 'category'; readonly category: string };

export interface SubscribeOptions {
  readonly to: SubscriptionTarget;
  /** Exclusive checkpoint to resume after; omitted starts from the beginning of the store. */
  readonly after?: bigint;
}

/**
 * A catch-up subscription: the history after the checkpoint, then live events, one at a time in
 * store order, with no gap and no duplicate across the switch. Iterate it with `for await`; the
 * next event is read only when the consumer asks for it, so handling and checkpointing never overlap.
 */
export interface Subscription extends AsyncIterable<PositionedEvent> {
  close(): Promise<void>;
}

export interface CheckpointStore {
  load(name: string): Promise<bigint | undefined>;
  save(name: string, checkpoint: bigint): Promise<void>;
}

/** A stream's folded state as of one revision, in a shape of `version`; JSON-serialisable. */
export interface Snapshot {
  readonly revision: number;
  readonly version: number;
  readonly state: unknown;
}

/**
 * Snapshots of streams' folded states, kept apart from the events (they are never events of the
 * stream, nor seen by readers of the log). An optimisation only: losing any or all of them changes no
 * answer, only how many events a load reads.
 */
export interface SnapshotStore {
  /** The newest snapshot saved for the stream, if any. */
  load(stream: string): Promise<Snapshot | undefined>;
  save(stream: string, snapshot: Snapshot): Promise<void>;
  /** Forgets the stream's snapshots. */
  delete(stream: string): Promise<void>;
}

/**
 * Small values kept beside the log, never in it: no read of events shows them, and one erased is
 * gone (on EventStoreDB once a scavenge has run). The installation's secret lives here, and each
 * payment token until its charge, so that an event keeps only a reference to it.
 */
export interface SecretStore {
  /** Keeps `value` under `key` unless the key holds one already; answers the value kept (the first one). */
  keep(key: string, value: string): Promise<string>;
  read(key: string): Promise<string | undefined>;
  /** Forgets the key's value; nothing happens for a key that holds none. */
  erase(key: string): Promise<void>;
}

export interface AppendOptions {
  /**
   * The stream's last event must be this one (its revision being the expected one). With it, a writer
   * may append behind its own append still in flight: if that one fails, this one fails too, even
   * when another writer's event has taken the same revision meanwhile.
   */
  readonly afterEventId?: string;
}

export interface EventStore {
  /**
   * Appends `events` if the stream is at `expected`. Idempotence is promised for exactly one case, the
   * one both stores keep durably: the same ids again with the same exact expected revision (or
   * `no_stream`) they were first appended with, as a retry whose first answer was lost sends. It
   * answers as the first append did and writes nothing, however far the stream has moved on since;
   * a partial match fails with `WrongExpectedVersion`. Nothing is promised for the same ids at
   * another place: EventStoreDB would store them again (its `IndexWriter.CheckCommit` looks for
   * them only at the place the expected revision names, and for `any`/`stream_exists` only in a
   * bounded in-memory cache), and the embedded store refuses them (`DuplicateEventId`). So a
   * redelivered cause must be recognised by its decider's state, or an `AppendGuard`, never by the store.
   */
  append(stream: string, events: readonly NewEvent[], expected?: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /** True when `append` honours `AppendOptions.afterEventId` (the embedded store); otherwise it must not be passed. */
  readonly chainsAppends?: boolean;
  /** Resolves to [] for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadManyOptions): Promise<PositionedEvent[]>;
  /** The `$ce-<Category>` view: every event of every stream `<Category>-…`, in store order. */
  readCategory(category: string, options?: ReadManyOptions): Promise<PositionedEvent[]>;
  /** The `$et-<Type>` view: every event of that type, in store order. */
  readEventType(type: string, options?: ReadManyOptions): Promise<PositionedEvent[]>;
  /**
   * Optional fast path of `readCategory` for replays (read-model rebuilds): the same events in the
   * same pages, without what `ReplayedEvent` leaves out, so that the store need not read or parse it.
   */
  replayCategory?(category: string, options?: ReadManyOptions): Promise<ReplayPage>;
  readEvent(eventId: string): Promise<RecordedEvent | undefined>;
  subscribe(options: SubscribeOptions): Subscription;
  /** The checkpoint of the newest event a subscription to the target would deliver; 0n when none. */
  headCheckpoint(target: SubscriptionTarget): Promise<bigint>;
  /**
   * How many events a subscription to the target has still to deliver after the checkpoint, counted
   * up to `cap`. Optional: where checkpoints count the target's events (EventStoreDB's `$ce-` link
   * revisions), the head's checkpoint less this one is that number already.
   */
  countAfter?(target: SubscriptionTarget, after: bigint, cap: number): Promise<number>;
  /**
   * The checkpoint a subscriber to the target has reached once it has seen everything of the target
   * up to the global `position` (of any event, e.g. what an append returned): that of the target's
   * newest event at or before it, 0n when there is none. On the embedded store checkpoints are
   * positions; on EventStoreDB a category's checkpoints count its links, so this waits for the system
   * projection to have linked the position. A position not reached within `timeoutMs` answers undefined.
   */
  checkpointAt(target: SubscriptionTarget, position: bigint, options?: { readonly timeoutMs?: number }): Promise<bigint | undefined>;
  readonly checkpoints: CheckpointStore;
  readonly snapshots: SnapshotStore;
  readonly secrets: SecretStore;
  /** Resolves once the store answers; rejects when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
