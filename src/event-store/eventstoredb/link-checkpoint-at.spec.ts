import { BACKWARDS, StreamNotFoundError, type JSONRecordedEvent, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { linkCheckpointAt } from './link-checkpoint-at';
import { FakeReadable, recorded, resolvedAll, resolvedLink, StalledRead } from './testing/client-fakes';

/** `$ce-Order` as the system projection writes it, a link at a time; reads come back newest first. */
const categoryStream = () => {
  const links: ResolvedEvent[] = [];
  const readStream = jest.fn((stream: string, options?: { direction?: unknown }) => {
    expect(options?.direction).toBe(BACKWARDS);
    if (links.length === 0) return new FakeReadable<ResolvedEvent>([], new StreamNotFoundError(undefined, stream));
    return new FakeReadable([...links].reverse(), 'end');
  });
  const link = (position: number, stream = 'Order-1') =>
    links.push(resolvedLink('$ce-Order', links.length, recorded({ streamId: stream, revision: links.length, position })));
  const dangling = () => links.push(resolvedLink('$ce-Order', links.length, undefined));
  return { client: { readStream } as unknown as EsdbClient, readStream, link, dangling };
};

describe('the category checkpoint of an appended event (link revision + 1, not its $all position)', () => {
  it('is the revision + 1 of the link to the newest event at or before the position', async () => {
    const { client, link } = categoryStream();
    link(100);
    link(300);
    link(500);
    await expect(linkCheckpointAt(client, '$ce-Order', 300n)).resolves.toBe(2n);
    await expect(linkCheckpointAt(client, '$ce-Order', 500n)).resolves.toBe(3n);
    // A multi-event append answers its last event's position: every event of it is at or before.
    await expect(linkCheckpointAt(client, '$ce-Order', 400n)).resolves.toBe(2n);
    await expect(linkCheckpointAt(client, '$ce-Order', 50n)).resolves.toBe(0n);
  });

  it('waits until the projection has linked the event, and skips links whose event is gone', async () => {
    const { client, link, dangling } = categoryStream();
    link(100);
    let found: bigint | undefined;
    const waiting = linkCheckpointAt(client, '$ce-Order', 700n, { pollMs: 1 }).then((checkpoint) => (found = checkpoint));
    await new Promise((resolve) => setTimeout(resolve, 10));
    dangling();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(found).toBeUndefined();
    link(700);
    dangling();
    await waiting;
    expect(found).toBe(3n);
  });

  it('answers undefined when the link does not come within the timeout (system projections not running)', async () => {
    const { client } = categoryStream();
    await expect(linkCheckpointAt(client, '$ce-Order', 700n, { timeoutMs: 20, pollMs: 1 })).resolves.toBeUndefined();
  });

  it('answers undefined at its timeout also when the server never answers the read (the client ignores a read deadline)', async () => {
    const reads: Array<StalledRead<ResolvedEvent>> = [];
    const client = { readStream: jest.fn(() => reads[reads.push(new StalledRead<ResolvedEvent>()) - 1]) } as unknown as EsdbClient;
    await expect(linkCheckpointAt(client, '$ce-Order', 700n, { timeoutMs: 30, pollMs: 1 })).resolves.toBeUndefined();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((read) => read.destroyed)).toBe(true);
  });

  it('is what the adapter answers for a category; for $all the position is the checkpoint', async () => {
    const { client, link } = categoryStream();
    link(100);
    link(900);
    const store = new EventStoreDbEventStore(client, { projectionBarrier: { timeoutMs: 0 } });
    await expect(store.checkpointAt({ kind: 'category', category: 'Order' }, 900n)).resolves.toBe(2n);
    await expect(store.checkpointAt({ kind: 'all' }, 900n)).resolves.toBe(900n);
  });
});

describe("a category's checkpoint at a position of another category's event (read your writes anywhere)", () => {
  /** `$ce-Order` and `$ce-Product`, and `$all` holding the events they link; the projection may not have linked them all yet. */
  const server = () => {
    const all: JSONRecordedEvent[] = [];
    const links = new Map<string, ResolvedEvent[]>();
    const append = (stream: string, position: number, linked = true) => {
      const event = recorded({ streamId: stream, revision: 0, position });
      all.push(event);
      if (linked) link(event);
      return event;
    };
    const link = (event: JSONRecordedEvent) => {
      const linkStream = `$ce-${event.streamId.slice(0, event.streamId.indexOf('-'))}`;
      const entries = links.get(linkStream) ?? [];
      entries.push(resolvedLink(linkStream, entries.length, event));
      links.set(linkStream, entries);
    };
    const client = {
      readStream: (stream: string) => {
        const entries = links.get(stream);
        if (entries === undefined) return new FakeReadable<ResolvedEvent>([], new StreamNotFoundError(undefined, stream));
        return new FakeReadable([...entries].reverse(), 'end');
      },
      readAll: (options: { fromPosition: { commit: bigint } }) =>
        new FakeReadable(all.filter((event) => event.position!.commit >= options.fromPosition.commit).map(resolvedAll), 'end'),
    } as unknown as EsdbClient;
    return { store: new EventStoreDbEventStore(client, { projectionBarrier: { timeoutMs: 0, pollMs: 1 } }), append, link };
  };

  it("is the category's newest link before it once the projection has linked the position's own event, however old that link", async () => {
    const { store, append } = server();
    append('Product-1', 100);
    append('Product-2', 200);
    append('Order-1', 900);
    await expect(store.checkpointAt({ kind: 'category', category: 'Product' }, 900n, { timeoutMs: 50 })).resolves.toBe(2n);
    // A category with no event yet has reached every position.
    await expect(store.checkpointAt({ kind: 'category', category: 'Shipment' }, 900n, { timeoutMs: 50 })).resolves.toBe(0n);
  });

  it('waits for the projection to link the event at the position first, and answers undefined if it does not within the timeout', async () => {
    const { store, append, link } = server();
    append('Product-1', 100);
    const order = append('Order-1', 900, false);
    await expect(store.checkpointAt({ kind: 'category', category: 'Product' }, 900n, { timeoutMs: 30 })).resolves.toBeUndefined();
    const waiting = store.checkpointAt({ kind: 'category', category: 'Product' }, 900n, { timeoutMs: 2000 });
    setTimeout(() => link(order), 20);
    await expect(waiting).resolves.toBe(1n);
  });
});
