import type {
  AllStreamResolvedEvent,
  RecordedEvent as ClientRecordedEvent,
  Position,
  ResolvedEvent,
} from '@eventstore/db-client';
import type { EventMetadata, PositionedEvent, RecordedEvent } from '../event-store.port';

/** The adapter's own bookkeeping streams (subscription checkpoints, snapshots, secrets); never shown as domain events. */
export const checkpointStreamPrefix = 'SubscriptionCheckpoint-';
export const snapshotStreamPrefix = 'StreamSnapshot-';
export const secretStreamPrefix = 'StoredSecret-';

/** The type of a link event written by projections (`$ce-`, `$et-`, parked messages). */
export const linkEventType = '$>';

/**
 * The server sends -1 as an unsigned 64-bit number (Position.End) when it has no position, and
 * servers before 22.6 send none for events read from a stream. The client cannot tell "none" from
 * 0: the generated getters answer the proto3 default, `"0"`, for an unset field
 * (`jspb.Message.getFieldWithDefault(this, 5, "0")` in generated/streams_pb.js), and
 * `extractPosition` turns it into `{ commit: 0n, prepare: 0n }`. No event of ours is at 0: the log
 * starts with the server's own epoch records. So 0/0 means no position too.
 */
const noPosition = (1n << 63n) - 1n;

const commitPositionOf = (position: Position | undefined): bigint | undefined =>
  position === undefined ||
  position.commit < 0n ||
  position.commit >= noPosition ||
  (position.commit === 0n && position.prepare === 0n)
    ? undefined
    : position.commit;

const isMetadata = (value: unknown): value is EventMetadata =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** An event as the client returns it, in the port's shape; `ownPosition` where the server stamped another one on it. */
export const toRecordedEvent = (recorded: ClientRecordedEvent, ownPosition?: bigint): RecordedEvent => {
  const position = ownPosition ?? commitPositionOf(recorded.position);
  if (position === undefined) {
    throw new Error(
      `EventStoreDB returned no log position for event ${recorded.id} of ${recorded.streamId}; the adapter needs server 22.6 or newer`,
    );
  }
  return {
    id: recorded.id,
    type: recorded.type,
    streamName: recorded.streamId,
    revision: Number(recorded.revision),
    position,
    data: recorded.data,
    metadata: isMetadata(recorded.metadata) ? recorded.metadata : {},
    createdAt: recorded.created,
  };
};

/**
 * The linked event's own commit position, from the `$c` that the `$by_category`/`$by_event_type`
 * projections write in each link's metadata (with `$p`, `$o` and `$causedBy`).
 */
export const linkedEventPosition = (link: ClientRecordedEvent | undefined): bigint | undefined => {
  const commit = isMetadata(link?.metadata) ? link.metadata.$c : undefined;
  return (typeof commit === 'number' && Number.isSafeInteger(commit) && commit > 0) || (typeof commit === 'string' && /^[1-9]\d*$/.test(commit))
    ? BigInt(commit)
    : undefined;
};

/**
 * An event resolved through a link. The server stamps the link's position on the event as well
 * (KurrentDB `PersistentSubscriptions.Read.cs` and `Streams.Read.cs`: `ConvertToReadEvent` gives
 * both `e.OriginalPosition`), so the event's own is the link's `$c`; a link without one (not a
 * system projection's) leaves the position the server sent.
 */
export const toLinkedEvent = (event: ClientRecordedEvent, link: ClientRecordedEvent | undefined): RecordedEvent =>
  toRecordedEvent(event, linkedEventPosition(link));

/** System events (`$`-types such as `$>`, `$metadata`, `$ProjectionsInitialized`) and system streams. */
export const isSystemEvent = (recorded: Pick<ClientRecordedEvent, 'type' | 'streamId'>): boolean =>
  recorded.type.startsWith('$') || recorded.streamId.startsWith('$');

export const isBookkeepingEvent = (recorded: Pick<ClientRecordedEvent, 'streamId'>): boolean =>
  recorded.streamId.startsWith(checkpointStreamPrefix) ||
  recorded.streamId.startsWith(snapshotStreamPrefix) ||
  recorded.streamId.startsWith(secretStreamPrefix);

/** One step through a `$ce-`/`$et-` link stream: where it leaves the reader, and the event if there is one. */
export interface LinkStep {
  readonly checkpoint: bigint;
  readonly positioned?: PositionedEvent;
}

/**
 * An entry of a `$ce-<Category>` / `$et-<Type>` stream read with `resolveLinkTos: true`.
 *
 * Its checkpoint comes from the LINK: `link.revision` is the entry's place in the `$ce-`/`$et-`
 * stream, which is what a reader resumes from. The resolved event's own `revision` is its place in
 * its own stream (`Order-1` revision 3), and resuming a category from it skips or repeats events:
 * the known pitfall. The checkpoint is `link.revision + 1`, so that, as on the embedded store, `0n`
 * means "nothing yet" (`headCheckpoint` of an empty view, `after: 0n` reads from the start), and a
 * checkpoint is the number of the view's entries up to and including this one.
 *
 * A link whose event is gone (deleted, truncated by `$maxCount`) still moves the checkpoint.
 */
export const fromLinkStream = (resolved: ResolvedEvent): LinkStep | undefined => {
  const { link, event } = resolved;
  if (link !== undefined) {
    const checkpoint = link.revision + 1n;
    if (event === undefined || event.type === linkEventType) return { checkpoint };
    return { checkpoint, positioned: { event: toLinkedEvent(event, link), checkpoint } };
  }
  if (event === undefined) return undefined;
  // A link the server could not resolve comes back as the link record itself.
  const checkpoint = event.revision + 1n;
  if (event.type === linkEventType) return { checkpoint };
  return { checkpoint, positioned: { event: toRecordedEvent(event), checkpoint } };
};

/** An entry of `$all`: its checkpoint is its commit position. System and bookkeeping events are skipped. */
export const fromAll = (resolved: AllStreamResolvedEvent): LinkStep | undefined => {
  const { event } = resolved;
  if (event === undefined) return undefined;
  const checkpoint = commitPositionOf(event.position);
  if (checkpoint === undefined) return undefined;
  if (isSystemEvent(event) || isBookkeepingEvent(event)) return { checkpoint };
  return { checkpoint, positioned: { event: toRecordedEvent(event), checkpoint } };
};

/** The commit position of `$all` to read from so that reading resumes just after `after` (reads are inclusive). */
export const allReadPosition = (after: bigint): Position => ({ commit: after, prepare: after });
