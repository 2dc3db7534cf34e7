import { CommitSignal } from './commit-signal';

describe('commit signal', () => {
  it('wakes every waiter at the next commit, not only some of them', async () => {
    const signal = new CommitSignal();
    const woken: number[] = [];
    const waits = Array.from({ length: 5 }, (_, n) => signal.wait(signal.count, 60_000).then(() => woken.push(n)));
    signal.notify();
    await Promise.all(waits);
    expect(woken.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('resolves at once for a reader that missed a commit while it was reading', async () => {
    const signal = new CommitSignal();
    const seen = signal.count;
    signal.notify();
    await expect(signal.wait(seen, 60_000)).resolves.toBeUndefined();
  });
});
