import { BACKWARDS, StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { linkCheckpointAt } from './link-checkpoint-at';
import { FakeReadable, recorded, resolvedLink } from './testing/client-fakes';

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

  it('is what the adapter answers for a category; for $all the position is the checkpoint', async () => {
    const { client, link } = categoryStream();
    link(100);
    link(900);
    const store = new EventStoreDbEventStore(client, { projectionBarrier: { timeoutMs: 0 } });
    await expect(store.checkpointAt({ kind: 'category', category: 'Order' }, 900n)).resolves.toBe(2n);
    await expect(store.checkpointAt({ kind: 'all' }, 900n)).resolves.toBe(900n);
  });
});
