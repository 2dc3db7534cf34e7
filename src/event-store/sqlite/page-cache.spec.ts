import type { PositionedEvent } from '../event-store.port';
import { PageCache } from './page-cache';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('page cache', () => {
  const page: PositionedEvent[] = [];

  it('reads a page once for the subscribers that ask for it in one turn at one commit count', async () => {
    const cache = new PageCache();
    const load = jest.fn(() => Promise.resolve(page));
    const pages = await Promise.all([cache.read('Order', 3, 10n, 100, load), cache.read('Order', 3, 10n, 100, load)]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(pages[0]).toBe(pages[1]);
  });

  it('reads again after a commit to the category, from another checkpoint, or in another category', async () => {
    const cache = new PageCache();
    const load = jest.fn(() => Promise.resolve(page));
    await cache.read('Order', 3, 10n, 100, load);
    await cache.read('Order', 4, 10n, 100, load);
    await cache.read('Order', 4, 11n, 100, load);
    await cache.read('Payment', 4, 11n, 100, load);
    await cache.read('Payment', 4, undefined, 100, load);
    expect(load).toHaveBeenCalledTimes(5);
  });

  it('forgets its pages at the next turn, so that appends by another process are seen', async () => {
    const cache = new PageCache();
    const load = jest.fn(() => Promise.resolve(page));
    await cache.read('Order', 3, 10n, 100, load);
    await nextTurn();
    await cache.read('Order', 3, 10n, 100, load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
