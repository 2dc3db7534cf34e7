/**
 * The log of the wire-level test double of KurrentDB/EventStoreDB: streams, `$all` positions,
 * stream metadata, soft deletes, and the append check (expected revision, idempotency), ported from
 * the server's source. Citations name files of github.com/kurrent-io/KurrentDB (master of 2026-12).
 *
 * A test double, in memory, one per test file: it is not a store and must never be used as one.
 */

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface StoredRecord extends ProposedEvent {
  readonly stream: string;
  readonly revision: number;
  /** `$all` log position: commit = prepare = the record's own log position (implicit transactions). */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server's `created` metadata. */
  readonly created: bigint;
}

/** `-1` no stream, `-2` any, `-4` stream exists: the server's `ExpectedVersion` constants (src/KurrentDB.Core/Data/ExpectedVersion.cs). */
export type Expected = number | 'any' | 'no_stream' | 'stream_exists';

export type AppendOutcome =
  | { readonly kind: 'ok'; readonly currentRevision: number; readonly position: bigint; readonly written?: readonly StoredRecord[] }
  | { readonly kind: 'idempotent'; readonly currentRevision: number; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: number | 'no_stream' };

export interface StreamMetadata {
  readonly maxCount?: number;
  /** Truncate before: events below this revision are not read. */
  readonly truncateBefore?: number;
}

/**
 * The server's `$tb` of a soft-deleted stream is `EventNumber.DeletedStream` (long.MaxValue):
 * StorageWriterService.cs writes `new StreamMetadata(truncateBefore: EventNumber.DeletedStream)`.
 * JSON numbers past 2^53 lose precision here, so anything that large counts as deleted.
 */
const deletedStream = Number.MAX_SAFE_INTEGER;

/** The first position of an event: the server's log begins with its own epoch records, never at 0. */
const firstPosition = 1024n;
/** A record's size on the log: a fixed header plus its variable parts, so that positions grow as on the server. */
const recordSize = (event: ProposedEvent, stream: string): bigint =>
  BigInt(96 + Buffer.byteLength(stream) + Buffer.byteLength(event.type) + event.data.byteLength + event.metadata.byteLength);

interface StreamState {
  readonly records: StoredRecord[];
}

/**
 * The server's `_committedEvents`: a `BoundedCache<Guid, EventInfo>` of recently committed event ids
 * (IndexWriter.cs, bounded by `ESConsts.CommittedEventsMemCacheLimit` in bytes). Gone at restart.
 * Here bounded by a count, evicting the oldest.
 */
class RecentIds {
  private readonly entries = new Map<string, { stream: string; revision: number }>();
  constructor(private readonly capacity: number) {}

  put(id: string, stream: string, revision: number): void {
    this.entries.delete(id);
    this.entries.set(id, { stream, revision });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get(id: string): { stream: string; revision: number } | undefined {
    return this.entries.get(id);
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface WireLogOptions {
  /** How many recent event ids the weak (`any`/`stream_exists`) idempotency check remembers. */
  readonly recentIdsCapacity?: number;
}

export const metastreamOf = (stream: string): string => `$$${stream}`;
export const isMetastream = (stream: string): boolean => stream.startsWith('$$');

export class WireLog {
  readonly all: StoredRecord[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly positions = new Map<bigint, number>();
  private readonly recentIds: RecentIds;
  private nextPosition = firstPosition;
  private readonly listeners = new Set<(records: readonly StoredRecord[]) => void>();

  constructor(options: WireLogOptions = {}) {
    // ESConsts.CommittedEventsMemCacheLimit is 8 MiB of entries of ~60 bytes: of the order of 100,000 ids.
    this.recentIds = new RecentIds(options.recentIdsCapacity ?? 100_000);
  }

  /** Called with every committed batch, in commit order (subscriptions, projections, persistent groups). */
  onCommit(listener: (records: readonly StoredRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A server restart forgets the in-memory id cache; the index (the records) stays. */
  forgetRecentIds(): void {
    this.recentIds.clear();
  }

  get endPosition(): bigint {
    return this.nextPosition;
  }

  /** Index of the record at exactly this position in `all`, if one starts there. */
  indexAt(position: bigint): number | undefined {
    return this.positions.get(position);
  }

  lastRevision(stream: string): number {
    const records = this.streams.get(stream)?.records;
    return records === undefined || records.length === 0 ? -1 : records[records.length - 1]!.revision;
  }

  metadata(stream: string): StreamMetadata {
    const meta = this.streams.get(metastreamOf(stream))?.records;
    const last = meta?.[meta.length - 1];
    if (last === undefined) return {};
    try {
      const parsed = JSON.parse(Buffer.from(last.data).toString('utf8')) as Record<string, unknown>;
      return {
        ...(typeof parsed.$maxCount === 'number' ? { maxCount: parsed.$maxCount } : {}),
        ...(typeof parsed.$tb === 'number' ? { truncateBefore: parsed.$tb } : {}),
      };
    } catch {
      return {};
    }
  }

  isSoftDeleted(stream: string): boolean {
    return (this.metadata(stream).truncateBefore ?? 0) >= deletedStream;
  }

  /**
   * The first revision a read may see: `$tb` and `$maxCount` (IndexReader applies both, the newer
   * bound winning, src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexReader.cs `GetStartEventNumber`-like logic;
   * not checked line by line).
   */
  firstVisible(stream: string): number {
    const { maxCount, truncateBefore } = this.metadata(stream);
    const last = this.lastRevision(stream);
    let first = 0;
    if (maxCount !== undefined) first = Math.max(first, last - maxCount + 1);
    if (truncateBefore !== undefined) first = Math.max(first, truncateBefore);
    return first;
  }

  /**
   * Whether a stream reads as not found: never written, or soft-deleted. (Hard deletes,
   * `Tombstone`, are not served by this double.)
   */
  existsForRead(stream: string): boolean {
    return this.lastRevision(stream) >= 0 && !this.isSoftDeleted(stream);
  }

  /** Visible records of a stream, oldest first. */
  visible(stream: string): StoredRecord[] {
    const records = this.streams.get(stream)?.records ?? [];
    const first = this.firstVisible(stream);
    return first === 0 ? records : records.filter((record) => record.revision >= first);
  }

  recordAt(stream: string, revision: number): StoredRecord | undefined {
    if (revision < this.firstVisible(stream)) return undefined;
    const records = this.streams.get(stream)?.records;
    const first = records?.[0];
    if (first === undefined) return undefined;
    return records![revision - first.revision];
  }

  /** Raw index lookup, ignoring truncation: `_indexReader.ReadPrepare(streamId, eventNumber)` in IndexWriter.CheckCommit. */
  private indexedId(stream: string, revision: number): string | undefined {
    const records = this.streams.get(stream)?.records;
    const first = records?.[0];
    if (first === undefined) return undefined;
    return records![revision - first.revision]?.id;
  }

  /**
   * Checks and writes one append, atomically (the double is single-threaded).
   *
   * Port of `IndexWriter.CheckCommit` (src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexWriter.cs)
   * and of `StorageWriterService` deciding on its result (…/Storage/StorageWriterService.cs):
   * - a stream never written: `any`/`no_stream` write, anything else fails (CheckCommitForNewStream);
   * - `stream_exists` fails on a soft-deleted stream, and on one with no events and no metadata;
   * - `any`/`stream_exists` ("weak idempotency"): the ids are looked up in the bounded cache of recently
   *   committed ids only; all found in this stream: idempotent; the first found and a later one not:
   *   CorruptedIdempotency, answered as wrong expected version; the first not found: written;
   * - an exact revision below the stream's end, or `no_stream` on an existing stream ("strong
   *   idempotency"): each id must be at expected + 1 + i, in the cache or the index; all there:
   *   idempotent; the first not there: wrong expected version (or, for `no_stream` on a soft-deleted
   *   stream, written); a later one not there: CorruptedIdempotency → wrong expected version;
   * - an exact revision past the end: wrong expected version;
   * - an exact revision EQUAL to the end: written, with NO idempotency check (settles the two readings of
   *   issue 17: the `expectedVersion == curVersion` branch is `CommitOk` at once);
   * - a write to a soft-deleted stream recreates it: revisions go on from the last one, and `$tb` moves to
   *   the first new revision (StorageWriterService.SoftUndeleteStream).
   * - idempotent answers carry the last event's revision and its log position (`AlreadyCommitted` with
   *   `idempotentLogPosition`, StorageWriterService.cs).
   */
  append(stream: string, expected: Expected, events: readonly ProposedEvent[]): AppendOutcome {
    const current = this.lastRevision(stream);
    const exists = current >= 0 || this.streams.has(metastreamOf(stream));
    const wrong = (): AppendOutcome => ({ kind: 'wrong_expected_version', currentRevision: current < 0 ? 'no_stream' : current });

    if (!exists) {
      if (expected === 'any' || expected === 'no_stream') return this.write(stream, events, current, false);
      return wrong();
    }
    const softDeleted = this.isSoftDeleted(stream);
    if (expected === 'stream_exists') {
      if (softDeleted) return wrong();
      if (current < 0 && this.lastRevision(metastreamOf(stream)) < 0) return wrong();
    }

    if (expected === 'any' || expected === 'stream_exists') {
      let end = -1;
      for (let i = 0; i < events.length; i++) {
        const info = this.recentIds.get(events[i]!.id);
        if (info !== undefined && info.stream === stream) {
          end = info.revision;
          continue;
        }
        if (i > 0) return wrong(); // CorruptedIdempotency
        return this.write(stream, events, current, softDeleted);
      }
      if (events.length === 0) return this.write(stream, events, current, softDeleted);
      // StorageWriterService answers `AlreadyCommitted` with the ids' first and last revisions (start, end).
      return { kind: 'idempotent', currentRevision: end, position: this.rawPosition(stream, end) };
    }

    const expectedRevision = expected === 'no_stream' ? -1 : expected;
    if (expectedRevision < current) {
      let revision = expectedRevision;
      for (let i = 0; i < events.length; i++) {
        const id = events[i]!.id;
        revision += 1;
        const info = this.recentIds.get(id);
        if (info !== undefined && info.stream === stream && info.revision === revision) continue;
        if (this.indexedId(stream, revision) === id) continue;
        if (i > 0) return wrong(); // CorruptedIdempotency
        if (expected === 'no_stream' && softDeleted) return this.write(stream, events, current, true);
        return wrong();
      }
      if (events.length === 0) {
        if (expected === 'no_stream' && softDeleted) return this.write(stream, events, current, true);
        return wrong();
      }
      return { kind: 'idempotent', currentRevision: revision, position: this.rawPosition(stream, revision) };
    }
    if (expectedRevision > current) return wrong();
    return this.write(stream, events, current, softDeleted);
  }

  private rawPosition(stream: string, revision: number): bigint {
    const records = this.streams.get(stream)!.records;
    return records[revision - records[0]!.revision]!.position;
  }

  private write(stream: string, events: readonly ProposedEvent[], current: number, softDeleted: boolean): AppendOutcome {
    if (events.length === 0) {
      const last = current < 0 ? undefined : this.rawPosition(stream, current);
      return { kind: 'ok', currentRevision: current, position: last ?? -1n };
    }
    let state = this.streams.get(stream);
    if (state === undefined) {
      state = { records: [] };
      this.streams.set(stream, state);
    }
    const created = BigInt(Date.now()) * 10_000n;
    const written: StoredRecord[] = [];
    let revision = current;
    for (const event of events) {
      revision += 1;
      const record: StoredRecord = { ...event, stream, revision, position: this.nextPosition, created };
      this.nextPosition += recordSize(event, stream);
      state.records.push(record);
      this.positions.set(record.position, this.all.length);
      this.all.push(record);
      this.recentIds.put(event.id, stream, revision);
      written.push(record);
    }
    const recreatedFrom = current + 1;
    if (softDeleted) {
      // StorageWriterService.SoftUndeleteStream: the metadata is rewritten with $tb = the first new revision.
      const meta = { ...this.rawMetadata(stream), $tb: recreatedFrom };
      this.write(metastreamOf(stream), [jsonProposal('$metadata', meta)], this.lastRevision(metastreamOf(stream)), false);
    }
    for (const listener of this.listeners) listener(written);
    return { kind: 'ok', currentRevision: revision, position: written[written.length - 1]!.position, written };
  }

  private rawMetadata(stream: string): Record<string, unknown> {
    const meta = this.streams.get(metastreamOf(stream))?.records;
    const last = meta?.[meta.length - 1];
    if (last === undefined) return {};
    try {
      return JSON.parse(Buffer.from(last.data).toString('utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  /**
   * Soft delete (`Streams.Delete`): metadata with `$tb` = DeletedStream, keeping the other settings
   * (StorageWriterService.cs writes `new StreamMetadata(truncateBefore: EventNumber.DeletedStream)`; the
   * merge with earlier settings is assumed, not checked). The expectation is checked against the
   * stream as an append of no events would be (IndexWriter.CheckCommit, empty writes); a stream never
   * written is "deleted" too (its metadata written), as `any` on a new stream is Ok there.
   */
  softDelete(stream: string, expected: Expected): AppendOutcome {
    const current = this.lastRevision(stream);
    const softDeleted = this.isSoftDeleted(stream);
    const wrong: AppendOutcome = { kind: 'wrong_expected_version', currentRevision: current < 0 ? 'no_stream' : current };
    if (typeof expected === 'number' && expected !== current) return wrong;
    if (expected === 'no_stream' && current >= 0 && !softDeleted) return wrong;
    if (expected === 'stream_exists' && (current < 0 || softDeleted)) return wrong;
    const meta = { ...this.rawMetadata(stream), $tb: deletedStream };
    const outcome = this.write(metastreamOf(stream), [jsonProposal('$metadata', meta)], this.lastRevision(metastreamOf(stream)), false);
    return { kind: 'ok', currentRevision: current, position: outcome.kind === 'ok' ? outcome.position : -1n };
  }

  /** Appends a system record (links, parked entries, metadata) with expected revision `any`. */
  appendSystem(stream: string, events: readonly ProposedEvent[]): StoredRecord[] {
    const outcome = this.write(stream, events, this.lastRevision(stream), this.isSoftDeleted(stream));
    return outcome.kind === 'ok' ? [...(outcome.written ?? [])] : [];
  }
}

export const jsonProposal = (type: string, data: unknown, metadata?: unknown): ProposedEvent => ({
  id: crypto.randomUUID(),
  type,
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify(data), 'utf8'),
  metadata: metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(metadata), 'utf8'),
});

/** A link event as the projections and the parker write it: type `$>`, data `<revision>@<stream>`, not JSON. */
export const linkProposal = (target: string, metadata?: unknown): ProposedEvent => ({
  id: crypto.randomUUID(),
  type: '$>',
  contentType: 'application/octet-stream',
  data: Buffer.from(target, 'utf8'),
  metadata: metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(metadata), 'utf8'),
});

export const parseLink = (record: Pick<StoredRecord, 'data'>): { revision: number; stream: string } | undefined => {
  const text = Buffer.from(record.data).toString('utf8');
  const at = text.indexOf('@');
  if (at <= 0) return undefined;
  const revision = Number(text.slice(0, at));
  return Number.isInteger(revision) ? { revision, stream: text.slice(at + 1) } : undefined;
};
