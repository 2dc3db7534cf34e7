/**
 * Fakes of `@eventstore/db-client`'s shapes, for unit tests without a server. They follow the
 * client's own types: reads and subscriptions are object-mode readable streams of `ResolvedEvent`
 * (the client's `StreamingRead` / `ReadableSubscription`, both `Readable` subclasses with
 * `cancel()` / `unsubscribe()`), recorded events carry bigint revisions and `{ commit, prepare }`
 * positions, and link events (`$>`) carry `<revision>@<stream>` as binary data.
 */
import { Readable } from 'node:stream';
import {
  convertToCommandError,
  type AllStreamResolvedEvent,
  type JSONRecordedEvent,
  type LinkEvent,
  type PersistentAction,
  type PersistentSubscriptionToStreamResolvedEvent,
  type RecordedEvent as ClientRecordedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { v7 as uuid } from 'uuid';

export const recorded = (fields: {
  streamId: string;
  revision: number | bigint;
  position: number | bigint;
  type?: string;
  data?: unknown;
  metadata?: unknown;
  id?: string;
  created?: Date;
}): JSONRecordedEvent => ({
  streamId: fields.streamId,
  id: fields.id ?? uuid(),
  isJson: true,
  revision: BigInt(fields.revision),
  type: fields.type ?? 'Happened',
  created: fields.created ?? new Date('2026-01-02T03:04:05.000Z'),
  data: (fields.data ?? { n: 0 }) as JSONRecordedEvent['data'],
  metadata: fields.metadata as JSONRecordedEvent['metadata'],
  position: { commit: BigInt(fields.position), prepare: BigInt(fields.position) },
});

/** A link event as the `$by_category` / `$by_event_type` projections write it, pointing at `target`. */
export const linkTo = (
  linkStream: string,
  linkRevision: number | bigint,
  target: Pick<ClientRecordedEvent, 'streamId' | 'revision'> & { readonly position?: ClientRecordedEvent['position'] },
  linkPosition: number | bigint = 1_000_000n + BigInt(linkRevision),
): ClientRecordedEvent<LinkEvent> => ({
  streamId: linkStream,
  id: uuid(),
  isJson: false,
  revision: BigInt(linkRevision),
  type: '$>',
  created: new Date('2026-01-02T03:04:06.000Z'),
  data: new Uint8Array(Buffer.from(`${target.revision}@${target.streamId}`)),
  // The projections' own metadata: `$c`/`$p` are the target's position, `$o` its stream.
  metadata: {
    $causedBy: uuid(),
    $o: target.streamId,
    ...(target.position === undefined ? {} : { $c: Number(target.position.commit), $p: Number(target.position.prepare) }),
  },
  position: { commit: BigInt(linkPosition), prepare: BigInt(linkPosition) },
});

/** What a read of `$ce-<Category>` with `resolveLinkTos: true` yields for one entry. */
export const resolvedLink = (linkStream: string, linkRevision: number, event: JSONRecordedEvent | undefined): ResolvedEvent => ({
  link: linkTo(linkStream, linkRevision, event ?? { streamId: 'Gone-1', revision: 0n }),
  ...(event === undefined ? {} : { event }),
  commitPosition: 1_000_000n + BigInt(linkRevision),
});

/**
 * What a persistent subscription to `$ce-<Category>` delivers for one entry: the server stamps the
 * link's position on the event too (KurrentDB `PersistentSubscriptions.Read.cs`, `ConvertToReadEvent`
 * passes `e.OriginalPosition` to both), so only the link's `$c` tells the event's own.
 */
export const deliveredLink = (linkStream: string, linkRevision: number, event: JSONRecordedEvent): ResolvedEvent => {
  const resolved = resolvedLink(linkStream, linkRevision, event);
  return { ...resolved, event: { ...event, position: resolved.link!.position } };
};

export const resolvedAll = (event: JSONRecordedEvent): AllStreamResolvedEvent => ({
  event: event as AllStreamResolvedEvent['event'],
  commitPosition: event.position!.commit,
});

/**
 * An object-mode readable with the client's extra methods. Items are pushed as they are read (with
 * backpressure); `end()` ends it, `fail(error)` errors it, and `unsubscribe()`/`cancel()` end it as
 * the client's do (cancelling the gRPC call ends the stream).
 */
export class FakeReadable<Item> extends Readable {
  readonly unsubscribe = jest.fn(async () => this.finish());
  readonly cancel = jest.fn(async () => this.finish());
  /** How many items a consumer has pulled. */
  taken = 0;
  private readonly queue: Item[] = [];
  private ending: 'end' | Error | undefined;
  private wanting = false;

  constructor(items: readonly Item[] = [], then?: 'end' | Error) {
    super({ objectMode: true, highWaterMark: 1 });
    this.queue.push(...items);
    this.ending = then;
  }

  add(...items: Item[]): void {
    this.queue.push(...items);
    if (this.wanting) this._read();
  }

  end(): void {
    this.ending = 'end';
    if (this.wanting) this._read();
  }

  fail(error: Error): void {
    this.ending = error;
    if (this.wanting) this._read();
  }

  override _read(): void {
    this.wanting = false;
    const next = this.queue.shift();
    if (next !== undefined) {
      this.taken++;
      this.push(next);
      return;
    }
    if (this.ending === 'end') this.push(null);
    else if (this.ending instanceof Error) this.destroy(this.ending);
    else this.wanting = true;
  }

  private finish(): void {
    if (!this.readableEnded && !this.destroyed) this.push(null);
  }
}

/**
 * A read the server never answers. Its `cancel()` does what the client's does to the stream it
 * handed out: nothing that ends it (the client swallows its own cancellation error, and the gRPC
 * stream it pipes from ends without ending it).
 */
export class StalledRead<Item> extends FakeReadable<Item> {
  override readonly cancel = jest.fn(async () => undefined);
}

export class FakePersistentSubscription extends FakeReadable<PersistentSubscriptionToStreamResolvedEvent> {
  readonly acks: string[] = [];
  readonly nacks: Array<{ action: PersistentAction; reason: string; id: string }> = [];
  readonly ack = jest.fn(async (...events: ResolvedEvent[]) => {
    for (const event of events) this.acks.push((event.link ?? event.event)!.id);
  });
  readonly nack = jest.fn(async (action: PersistentAction, reason: string, ...events: ResolvedEvent[]) => {
    for (const event of events) this.nacks.push({ action, reason, id: (event.link ?? event.event)!.id });
  });

  /** The server's answer to the subscribe call: the client emits `confirmation`. */
  confirm(): void {
    this.emit('confirmation');
  }
}

/** A gRPC-shaped failure run through the client's own `convertToCommandError`, as the client does. */
export const grpcError = (code: number, details: string, metadata: Record<string, string> = {}): Error =>
  convertToCommandError(
    Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => metadata } }),
  );

export const grpcStatus = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, ABORTED: 10, UNAVAILABLE: 14 } as const;
