import type Database from 'better-sqlite3';
import { deadLetterDatabase, DeadLetterStore } from '../../src/shared/process-managers/dead-letter-store';
import { SharedTokens } from '../../src/shared/tokens';
import { startTestSystem, type TestSystem } from '../support/test-system';

describe('GET /api/admin/dead-letters a page at a time (#12 item 5: bounded work per request)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    const letters = new DeadLetterStore(deadLetterDatabase(t.system.eventStore, t.system.container.get<Database.Database>(SharedTokens.ReadModelDatabase)));
    for (let n = 0; n < 250; n++) {
      letters.add({
        subscription: 'payments-on-orders',
        eventId: `event-${n}`,
        eventType: 'OrderConfirmed',
        streamName: `Order-${n}`,
        position: String(n + 1),
        error: 'gateway down',
        attempts: 4,
        failedAt: new Date(0).toISOString(),
      });
    }
  });
  afterAll(() => t.stop());

  it('answers 100 by default, oldest first, and walks every letter once by `next`', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await t.admin().get(`/api/admin/dead-letters?limit=${pages === 0 ? 100 : 70}${after === undefined ? '' : `&after=${after}`}`);
      expect(status).toBe(200);
      seen.push(...body.items.map((letter: { eventId: string }) => letter.eventId));
      after = body.next ?? undefined;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, n) => `event-${n}`));
    expect((await t.admin().get('/api/admin/dead-letters')).body.items).toHaveLength(100);
  });

  it.each(['limit=0', 'limit=501', 'limit=x', 'after=%20', 'other=1'])('refuses %s with 400 problem+json', async (query) => {
    const response = await t.admin().get(`/api/admin/dead-letters?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
  });
});
