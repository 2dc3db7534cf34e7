import { EventEmitter } from 'node:events';

/**
 * The log of the wire-level double of KurrentDB: records in `$all` order, streams, stream metadata,
 * the append check and the system projections. A test double, never a product: it keeps everything
 * in memory and implements only what `@eventstore/db-client` 6.2.1 asks of the server in this
 * project. Each rule names where in KurrentDB's source (github.com/kurrent-io/KurrentDB, formerly
 * EventStore/EventStore) it comes from; where no rule was found, the code says so.
 */

export interface WireRecord {
  /** Commit = prepare position: one record per event, as a single-event transaction is in the log. */
  readonly position: bigint;
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly isJson: boolean;
  /** .NET ticks (100 ns since 0001-01-01 UTC), as the server stamps `created`. */
  readonly createdTicks: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly isJson: boolean;
}

/** `ExpectedVersion` as the server numbers it: -2 any, -1 no stream, -4 stream exists, n an exact revision. */
export const expectedAny = -2;
export const expectedNoStream = -1;
export const expectedStreamExists = -4;

export type AppendOutcome =
  | { readonly kind: 'written'; readonly lastRevision: number; readonly position: bigint }
  | { readonly kind: 'idempotent'; readonly lastRevision: number; readonly position: bigint }
  | { readonly kind: 'wrong-expected-version'; readonly current: number }
  | { readonly kind: 'too-large'; readonly maxAppendSize: number };

export interface WireLogOptions {
  /** How long the system projections take to link an event into `$ce-`/`$et-` (the real ones lag, too). */
  readonly projectionLagMs?: number;
  /** KurrentDB's `MaxAppendSize` (1 MiB by default; the compose files set 4 MiB). */
  readonly maxAppendSize?: number;
  /** Entries of the recent-commit cache that `any`/`stream_exists` appends are checked against. */
  readonly committedEventsCacheSize?: number;
}

const epochTicks = 621_355_968_000_000_000n;
const ticksNow = (): bigint => BigInt(Date.now()) * 10_000n + epochTicks;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export const isSystemStream = (stream: string): boolean => stream.startsWith('$');
export const metastreamOf = (stream: string): string => `$$${stream}`;

interface StreamMetadata {
  readonly maxCount?: number;
  readonly truncateBefore?: number;
}

export class WireLog extends EventEmitter {
  readonly records: WireRecord[] = [];
  private readonly streams = new Map<string, WireRecord[]>();
  private readonly positions = new Map<bigint, number>();
  /**
   * IndexWriter's `_committedEvents`: event id → where it was committed, for the idempotency check of
   * `any`/`stream_exists` appends. Bounded, and empty after a restart (`forgetRecentCommits`).
   */
  private readonly committedEvents = new Map<string, { stream: string; revision: number }>();
  private nextPosition = 1000n;
  private readonly projectionLagMs: number;
  private readonly maxAppendSize: number;
  private readonly cacheSize: number;
  private readonly pendingLinks = new Set<NodeJS.Timeout>();

  constructor(options: WireLogOptions = {}) {
    super();
    this.setMaxListeners(0);
    this.projectionLagMs = options.projectionLagMs ?? 5;
    this.maxAppendSize = options.maxAppendSize ?? 4 * 1024 * 1024;
    this.cacheSize = options.committedEventsCacheSize ?? 100_000;
  }

  /** As after a server restart: what only memory held (the recent-commit cache) is gone. */
  forgetRecentCommits(): void {
    this.committedEvents.clear();
  }

  /** The last revision of a stream; -1 when it has none. */
  lastRevision(stream: string): number {
    const events = this.streams.get(stream);
    return events === undefined || events.length === 0 ? -1 : events[events.length - 1]!.revision;
  }

  streamEvents(stream: string): readonly WireRecord[] {
    const events = this.streams.get(stream) ?? [];
    const { maxCount, truncateBefore } = this.metadataOf(stream);
    if (maxCount === undefined && truncateBefore === undefined) return events;
    let visible = events;
    if (truncateBefore !== undefined) visible = visible.filter((event) => event.revision >= truncateBefore);
    if (maxCount !== undefined && visible.length > maxCount) visible = visible.slice(visible.length - maxCount);
    return visible;
  }

  /** Index in `records` of the record starting at `position`, or undefined (a position inside a record or past the end). */
  indexAt(position: bigint): number | undefined {
    return this.positions.get(position);
  }

  get endPosition(): bigint {
    return this.nextPosition;
  }

  /** A visible event by stream and revision (not truncated by `$maxCount` or `$tb`). */
  eventAt(stream: string, revision: number): WireRecord | undefined {
    const record = this.storedAt(stream, revision);
    if (record === undefined) return undefined;
    const { maxCount, truncateBefore } = this.metadataOf(stream);
    if (truncateBefore !== undefined && revision < truncateBefore) return undefined;
    if (maxCount !== undefined && revision <= this.lastRevision(stream) - maxCount) return undefined;
    return record;
  }

  /** Revisions of a stream are contiguous from its first: the record is found by offset. */
  private storedAt(stream: string, revision: number): WireRecord | undefined {
    const events = this.streams.get(stream);
    if (events === undefined || events.length === 0) return undefined;
    return events[revision - events[0]!.revision];
  }

  /**
   * A link's target (`<revision>@<stream>`), or undefined when it is gone (truncated, deleted).
   * KurrentDB `IndexReader.ResolveLinkToEvent`: a link that cannot be resolved yields no event.
   */
  resolve(link: WireRecord): WireRecord | undefined {
    if (link.type !== '$>') return undefined;
    const match = /^(\d+)@(.+)$/.exec(textDecoder.decode(link.data));
    return match === null ? undefined : this.eventAt(match[2]!, Number(match[1]));
  }

  /**
   * The append check, ported from KurrentDB `IndexWriter.CheckCommit`
   * (src/EventStore.Core/Services/Storage/ReaderIndex/IndexWriter.cs):
   * - `stream_exists` on a stream with no events (and no metadata): wrong expected version;
   * - `any`/`stream_exists`: ids looked up in the recent-commit cache only; all found in this
   *   stream: idempotent; the first not found: written; a later one not found: corrupted
   *   idempotency, which the gRPC layer reports as wrong expected version;
   * - an exact revision (or `no_stream`, -1) below the stream's end: ids compared with the events at
   *   revision + 1…; all equal: idempotent; the first differs: wrong expected version; a later one:
   *   corrupted idempotency (wrong expected version);
   * - above the end: wrong expected version; equal to the end: written, ids not looked at.
   */
  append(stream: string, expected: number, events: readonly ProposedEvent[]): AppendOutcome {
    const size = events.reduce((total, event) => total + event.data.length + event.metadata.length, 0);
    // KurrentDB Streams.Append.cs: the request is refused once its events pass MaxAppendSize.
    if (size > this.maxAppendSize) return { kind: 'too-large', maxAppendSize: this.maxAppendSize };
    const current = this.lastRevision(stream);
    if (expected === expectedStreamExists && current < 0 && this.lastRevision(metastreamOf(stream)) < 0) {
      return { kind: 'wrong-expected-version', current };
    }
    if (events.length === 0) {
      // No data: the server checks the expected revision and writes nothing (no rule ported for idempotency here).
      if (expected >= 0 && expected !== current) return { kind: 'wrong-expected-version', current };
      if (expected === expectedNoStream && current >= 0) return { kind: 'wrong-expected-version', current };
      return { kind: 'written', lastRevision: current, position: this.positionOfRevision(stream, current) };
    }
    if (expected === expectedAny || expected === expectedStreamExists) {
      let last: number | undefined;
      for (const [index, event] of events.entries()) {
        const committed = this.committedEvents.get(event.id);
        if (committed === undefined || committed.stream !== stream) {
          if (index === 0) return this.write(stream, events);
          return { kind: 'wrong-expected-version', current };
        }
        last = committed.revision;
      }
      return { kind: 'idempotent', lastRevision: last!, position: this.positionOfRevision(stream, last!) };
    }
    if (expected < current) {
      let revision = expected;
      for (const event of events) {
        revision++;
        if (this.storedAt(stream, revision)?.id === event.id) continue;
        return { kind: 'wrong-expected-version', current };
      }
      return { kind: 'idempotent', lastRevision: revision, position: this.positionOfRevision(stream, revision) };
    }
    if (expected > current) return { kind: 'wrong-expected-version', current };
    return this.write(stream, events);
  }

  /** Writes the `$metadata` event of a stream's metastream (`setStreamMetadata`). */
  setMetadata(stream: string, metadata: Record<string, unknown>): AppendOutcome {
    return this.append(metastreamOf(stream), expectedAny, [
      { id: crypto.randomUUID(), type: '$metadata', data: textEncoder.encode(JSON.stringify(metadata)), metadata: new Uint8Array(), isJson: true },
    ]);
  }

  /** Stops the projections' pending links (the server is going away). */
  close(): void {
    for (const timer of this.pendingLinks) clearTimeout(timer);
    this.pendingLinks.clear();
  }

  private metadataOf(stream: string): StreamMetadata {
    const meta = this.streams.get(metastreamOf(stream));
    const last = meta?.[meta.length - 1];
    if (last === undefined) return {};
    try {
      const parsed = JSON.parse(textDecoder.decode(last.data)) as { $maxCount?: number; $tb?: number };
      return { maxCount: parsed.$maxCount, truncateBefore: parsed.$tb };
    } catch {
      return {};
    }
  }

  private positionOfRevision(stream: string, revision: number): bigint {
    return this.storedAt(stream, revision)?.position ?? 0n;
  }

  private write(stream: string, events: readonly ProposedEvent[]): AppendOutcome {
    let revision = this.lastRevision(stream);
    const written: WireRecord[] = [];
    const createdTicks = ticksNow();
    for (const event of events) {
      revision++;
      const record: WireRecord = { ...event, position: this.nextPosition, stream, revision, createdTicks };
      // A record's length in the log: positions are byte offsets, so most positions fall inside a record.
      this.nextPosition += BigInt(96 + stream.length + event.type.length + event.data.length + event.metadata.length);
      this.positions.set(record.position, this.records.length);
      this.records.push(record);
      const streamRecords = this.streams.get(stream) ?? [];
      streamRecords.push(record);
      this.streams.set(stream, streamRecords);
      this.committedEvents.set(event.id, { stream, revision });
      if (this.committedEvents.size > this.cacheSize) this.committedEvents.delete(this.committedEvents.keys().next().value!);
      written.push(record);
    }
    this.emit('appended', written);
    this.linkLater(written);
    const last = written[written.length - 1]!;
    return { kind: 'written', lastRevision: last.revision, position: last.position };
  }

  /**
   * The `$by_category` and `$by_event_type` system projections: each event of a non-system stream is
   * linked into `$ce-<category>` (the stream name up to its first `-`) and `$et-<type>`, a little
   * later, in log order, with the metadata the projections write (`$v`, `$c`/`$p` the event's
   * position, `$o` its stream, `$causedBy` its id). KurrentDB `CategorizeEventsByStreamPath` /
   * `IndexEventsByEventType` and `EmittedEventEnvelope`; the `$v` value is a placeholder.
   */
  private linkLater(written: readonly WireRecord[]): void {
    const toLink = written.filter((record) => !isSystemStream(record.stream) && !record.type.startsWith('$'));
    if (toLink.length === 0) return;
    const timer = setTimeout(() => {
      this.pendingLinks.delete(timer);
      for (const record of toLink) {
        const dash = record.stream.indexOf('-');
        const targets = [...(dash > 0 ? [`$ce-${record.stream.slice(0, dash)}`] : []), `$et-${record.type}`];
        for (const target of targets) {
          const metadata = { $v: '1:-1:1:4', $c: Number(record.position), $p: Number(record.position), $o: record.stream, $causedBy: record.id };
          this.write(target, [
            {
              id: crypto.randomUUID(),
              type: '$>',
              data: textEncoder.encode(`${record.revision}@${record.stream}`),
              metadata: textEncoder.encode(JSON.stringify(metadata)),
              isJson: false,
            },
          ]);
        }
      }
    }, this.projectionLagMs);
    this.pendingLinks.add(timer);
  }
}
