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

describe('commit signal without a timeout', () => {
  it('waits for the commit only, with no timer of its own', async () => {
    jest.useFakeTimers();
    try {
      const signal = new CommitSignal();
      let woken = false;
      const waiting = signal.wait(signal.count, Infinity).then(() => (woken = true));
      expect(jest.getTimerCount()).toBe(0);
      await Promise.resolve();
      expect(woken).toBe(false);
      signal.notify();
      await waiting;
      expect(woken).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
