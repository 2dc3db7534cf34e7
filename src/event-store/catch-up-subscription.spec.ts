import { CatchUpSubscription } from './catch-up-subscription';
import { CommitSignal } from './commit-signal';
import type { PositionedEvent } from './event-store.port';

const positioned = (position: number): PositionedEvent => ({
  checkpoint: BigInt(position),
  event: { id: `e-${position}`, type: 'Happened', streamName: 'Thing-1', revision: position - 1, position: BigInt(position), data: {}, metadata: {}, createdAt: new Date(0) },
});

/** A log of events 1..head, read in pages after a checkpoint, and the reads made of it. */
const log = () => {
  const state = { head: 0, reads: [] as Array<bigint | undefined> };
  const read = async (after: bigint | undefined, maxCount: number): Promise<PositionedEvent[]> => {
    state.reads.push(after);
    const from = Number(after ?? 0n) + 1;
    return Array.from({ length: Math.max(0, Math.min(maxCount, state.head - from + 1)) }, (_, n) => positioned(from + n));
  };
  return { state, read };
};

describe('catch-up subscription', () => {
  it('hands out history in pages, then live events after a commit, each once, reading after the last one delivered', async () => {
    const { state, read } = log();
    state.head = 5;
    const signal = new CommitSignal();
    const subscription = new CatchUpSubscription({ read, signal, pageSize: 2, pollIntervalMs: Infinity });
    const seen: bigint[] = [];
    const consumed = (async () => {
      for await (const { checkpoint } of subscription) {
        seen.push(checkpoint);
        if (checkpoint === 7n) return;
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n]);
    state.head = 7;
    signal.notify();
    await consumed;
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(state.reads).toEqual([undefined, 2n, 4n, 5n]);
    await subscription.close();
  });

  it('answers next() asked twice at once with two events in order, as an async generator would', async () => {
    const { state, read } = log();
    state.head = 3;
    const iterator = new CatchUpSubscription({ read, signal: new CommitSignal(), pageSize: 10, pollIntervalMs: Infinity })[Symbol.asyncIterator]();
    const [first, second] = await Promise.all([iterator.next(), iterator.next()]);
    expect([first.value?.checkpoint, second.value?.checkpoint]).toEqual([1n, 2n]);
    expect(state.reads).toEqual([undefined]);
  });

  it('ends a consumer waiting for a commit when it is closed', async () => {
    const { read } = log();
    const subscription = new CatchUpSubscription({ read, signal: new CommitSignal(), pollIntervalMs: Infinity });
    const iterator = subscription[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await subscription.close();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  });
});
