import { StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { ProjectionBarrier } from './projection-barrier';
import { FakeReadable, recorded, resolvedLink, StalledRead } from './testing/client-fakes';

describe('read-your-writes on $ce-/$et- reads (the system projections link appends a moment later)', () => {
  const linkStreams = () => {
    const streams = new Map<string, ResolvedEvent[]>();
    const readStream = jest.fn((stream: string) => {
      const entries = streams.get(stream);
      if (entries === undefined) return new FakeReadable([], new StreamNotFoundError(undefined, stream));
      return new FakeReadable([...entries].reverse().slice(0, 1), 'end');
    });
    const project = (stream: string, position: number) => {
      const entries = streams.get(stream) ?? [];
      entries.push(resolvedLink(stream, entries.length, recorded({ streamId: 'Order-1', revision: entries.length, position })));
      streams.set(stream, entries);
    };
    return { client: { readStream } as unknown as Pick<EsdbClient, 'readStream'>, readStream, project };
  };

  it('waits until the category and type streams link an event at or past our append', async () => {
    const { client, project } = linkStreams();
    const barrier = new ProjectionBarrier(client, { pollMs: 1 });
    barrier.appended('Order-1', ['OrderPlaced'], 500n);
    let settled = false;
    const waiting = barrier.settle('$ce-Order').then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 15));
    expect(settled).toBe(false);
    project('$ce-Order', 400);
    await new Promise((resolve) => setTimeout(resolve, 15));
    expect(settled).toBe(false);
    project('$ce-Order', 500);
    await waiting;
    project('$et-OrderPlaced', 500);
    await barrier.settle('$et-OrderPlaced');
  });

  it('does not wait for streams this process did not append to, nor for system or checkpoint streams', async () => {
    const { client, readStream } = linkStreams();
    const barrier = new ProjectionBarrier(client, { pollMs: 1 });
    barrier.appended('$$Order-1', ['$metadata'], 10n);
    barrier.appended('SubscriptionCheckpoint-pm', ['SubscriptionCheckpointStored'], 11n);
    await barrier.settle('$ce-Order');
    await barrier.settle('$ce-SubscriptionCheckpoint');
    await barrier.settle('$et-$metadata');
    expect(readStream).not.toHaveBeenCalled();
  });

  it('gives up after its timeout with a warning naming the projection settings', async () => {
    const { client } = linkStreams();
    const warn = jest.fn();
    const barrier = new ProjectionBarrier(client, { pollMs: 1, timeoutMs: 20 }, { warn, error: jest.fn() });
    barrier.appended('Order-1', [], 500n);
    await barrier.settle('$ce-Order');
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ linkStream: '$ce-Order' }), expect.stringContaining('EVENTSTORE_RUN_PROJECTIONS'));
  });

  it('gives up at its timeout also when the server never answers the read (the client ignores a read deadline)', async () => {
    const reads: Array<StalledRead<ResolvedEvent>> = [];
    const client = { readStream: jest.fn(() => reads[reads.push(new StalledRead<ResolvedEvent>()) - 1]) } as unknown as Pick<EsdbClient, 'readStream'>;
    const warn = jest.fn();
    const barrier = new ProjectionBarrier(client, { pollMs: 1, timeoutMs: 30 }, { warn, error: jest.fn() });
    barrier.appended('Order-1', [], 500n);
    await barrier.settle('$ce-Order');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((read) => read.destroyed)).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ linkStream: '$ce-Order' }), expect.any(String));
  });
});
