import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventFilter } from '../../src/event-store/event-query.port';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { categoryOf, idOf } from '../../src/event-store/stream-name';
import { eventStoreSchemaVersion, migrateEventStoreTo } from '../../src/event-store/sqlite/event-store.schema';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEventId } from '../../src/shared/application/event-ids';

const keys = ['eventType', 'aggregateId', 'aggregateType', 'correlationId'] as const;

/** Every combination of the four filters, with and without a cursor. */
const everyCombination = (values: Record<(typeof keys)[number], string>, after: bigint): EventFilter[] =>
  Array.from({ length: 32 }, (_, mask) => {
    const filter: Record<string, unknown> = { limit: 100 };
    keys.forEach((key, bit) => {
      if ((mask & (1 << bit)) !== 0) filter[key] = values[key];
    });
    if ((mask & 16) !== 0) filter.after = after;
    return filter as unknown as EventFilter;
  });

const matches = (event: RecordedEvent, filter: EventFilter): boolean =>
  (filter.eventType === undefined || event.type === filter.eventType) &&
  (filter.aggregateId === undefined || idOf(event.streamName) === filter.aggregateId) &&
  (filter.aggregateType === undefined || categoryOf(event.streamName) === filter.aggregateType) &&
  (filter.correlationId === undefined || event.metadata.correlationId === filter.correlationId) &&
  (filter.after === undefined || event.position > filter.after);

/** A small store where ids repeat across categories, types across streams, and correlations across both. */
const seed = async (store: SqliteEventStore): Promise<RecordedEvent[]> => {
  const types = ['Placed', 'Confirmed', 'Paid'];
  let n = 0;
  for (let round = 0; round < 4; round++) {
    for (const category of ['Order', 'Payment', 'Inventory']) {
      for (let id = 0; id < 6; id++) {
        const events = types.slice(0, 1 + ((id + round) % 3)).map((type) => ({
          id: newEventId(),
          type: `${category}${type}`,
          data: { n: n++ },
          metadata: id % 4 === 3 ? {} : { correlationId: `order-${(id + round) % 5}`, causationId: newEventId() },
        }));
        await store.append(`${category}-${id}`, events, 'any');
      }
    }
  }
  await store.append('Standalone', [{ id: newEventId(), type: 'Marked', data: {} }], 'any');
  await store.append('Multi-part-id', [{ id: newEventId(), type: 'Marked', data: {}, metadata: { correlationId: 'order-1' } }], 'any');
  return (await store.readAll({ maxCount: 10_000 })).map(({ event }) => event);
};

// Audit batches: every event still in the unindexed tail, every event indexed, and a store split between the two.
describe.each([
  ['all in the unindexed tail', 1024],
  ['all in the audit index', 1],
  ['split between the audit index and the tail', 37],
])('the audit query on the embedded store, events %s', (_, auditBatch) => {
  let store: SqliteEventStore;
  let all: RecordedEvent[];
  beforeAll(async () => {
    store = SqliteEventStore.open({ filename: ':memory:', auditBatch });
    all = await seed(store);
  });
  afterAll(() => store.close());

  it('serves every filter and every combination from an index: no scan of the events table, no sort', () => {
    const values = { eventType: 'OrderPaid', aggregateId: '3', aggregateType: 'Order', correlationId: 'order-2' };
    for (const filter of everyCombination(values, 10n)) {
      const plan = store.eventQuery.explain(filter);
      expect({ filter, plan }).toEqual({ filter, plan: expect.not.arrayContaining([expect.stringMatching(/^SCAN|TEMP B-TREE/)]) });
      expect(plan.join('; ')).toMatch(/^(SEARCH events USING (INDEX|INTEGER PRIMARY KEY)|audit_index key [tac]:…; SEARCH a USING PRIMARY KEY \(key=\? AND position>\? AND position<\?\); SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\); SEARCH e USING INTEGER PRIMARY KEY \(rowid>\?\)$)/);
    }
  });

  it('drives a combination by its most selective filter: ids before types and categories', () => {
    const plan = (filter: Omit<EventFilter, 'limit'>) => store.eventQuery.explain({ ...filter, limit: 10 }).join('; ');
    expect(plan({ eventType: 'OrderPaid', aggregateType: 'Order', correlationId: 'order-1' })).toMatch(/^audit_index key c:/);
    expect(plan({ correlationId: 'order-1', aggregateId: '1' })).toMatch(/^audit_index key a:/);
    expect(plan({ eventType: 'OrderPaid', aggregateType: 'Order' })).toMatch(/^audit_index key t:/);
    expect(plan({ aggregateType: 'Order' })).toContain('events_by_category');
    expect(plan({})).toContain('INTEGER PRIMARY KEY');
  });

  it('answers each combination with exactly the events that match all its filters, in store order', async () => {
    const samples = [
      { eventType: 'OrderPlaced', aggregateId: '1', aggregateType: 'Order', correlationId: 'order-1' },
      { eventType: 'PaymentPaid', aggregateId: '2', aggregateType: 'Payment', correlationId: 'order-4' },
      { eventType: 'Marked', aggregateId: 'part-id', aggregateType: 'Multi', correlationId: 'order-1' },
      { eventType: 'Marked', aggregateId: '', aggregateType: 'Standalone', correlationId: 'nobody' },
    ];
    for (const values of samples) {
      for (const filter of everyCombination(values, all[40]!.position)) {
        const page = await store.eventQuery.find({ ...filter, limit: 1000 });
        expect({ filter, ids: page.events.map((event) => event.id) }).toEqual({
          filter,
          ids: all.filter((event) => matches(event, filter)).map((event) => event.id),
        });
      }
    }
  });

  it('pages with nextPosition until the last page, which says null, also when the last page is exactly full', async () => {
    const category = all.filter((event) => categoryOf(event.streamName) === 'Order');
    const seen: string[] = [];
    let after: bigint | undefined;
    for (let pages = 1; ; pages++) {
      const page = await store.eventQuery.find({ aggregateType: 'Order', after, limit: category.length / 4 });
      seen.push(...page.events.map((event) => event.id));
      if (page.nextPosition === null) {
        expect(pages).toBe(4);
        break;
      }
      expect(page.nextPosition).toBe(page.events[page.events.length - 1]!.position);
      after = page.nextPosition;
    }
    expect(seen).toEqual(category.map((event) => event.id));
  });

  it('with a scan limit, walks combined filters a bounded stretch at a time: the same events in the end, never more index entries per call', async () => {
    const samples = [
      { eventType: 'OrderPlaced', aggregateType: 'Order' },
      // A type of one category asked with another: nothing matches, and no call walks the whole index for it.
      { eventType: 'OrderPlaced', aggregateType: 'Payment' },
      { eventType: 'Marked', correlationId: 'order-1' },
    ];
    for (const filter of samples) {
      const seen: string[] = [];
      let after: bigint | undefined;
      let calls = 0;
      do {
        const page = await store.eventQuery.find({ ...filter, after, limit: 3, scanLimit: 5 });
        seen.push(...page.events.map((event) => event.id));
        after = page.nextPosition ?? undefined;
        calls++;
        // Each call moves on by at least one index entry: the walk ends.
        expect(calls).toBeLessThanOrEqual(all.length);
      } while (after !== undefined);
      expect({ filter, seen }).toEqual({ filter, seen: all.filter((event) => matches(event, { ...filter, limit: 3 })).map((event) => event.id) });
      expect(calls).toBeGreaterThan(1);
    }
    const none = await store.eventQuery.find({ eventType: 'OrderPlaced', aggregateType: 'Payment', limit: 100, scanLimit: 5 });
    expect(none.events).toEqual([]);
    // The scan stopped at its limit: in the audit index or in the tail after it, so at the 5th entry of one of the two.
    const placed = all.filter((event) => event.type === 'OrderPlaced').map((event) => event.position);
    expect(placed.indexOf(none.nextPosition!)).toBeGreaterThanOrEqual(4);
    expect(placed.indexOf(none.nextPosition!)).toBeLessThan(10);
  });

  it('finds one event by id, and nothing for an id it does not hold', async () => {
    expect(await store.eventQuery.byId(all[7]!.id)).toEqual(all[7]);
    expect(await store.eventQuery.byId(newEventId())).toBeUndefined();
  });
});

/** A store file left at schema `version`, holding the events of `values` (rows as that version wrote them). */
const storeFileAt = (file: string, version: number, values: string): string => {
  const old = new Database(file);
  migrateEventStoreTo(old, version);
  old.prepare(`INSERT INTO events (id, stream, category, revision, type, data, metadata, created_at) VALUES ${values}`).run();
  old.close();
  return file;
};

describe('schema migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'event-query-migration-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('v2 upgrades a v1 file in place: the events stored before it are found by aggregate id and correlation id', async () => {
    const file = storeFileAt(
      join(dir, 'v1.sqlite'),
      1,
      `('e1', 'Order-42', 'Order', 0, 'OrderPlaced', '{}', '{"correlationId":"42"}', 0),
       ('e2', 'Payment-p-42', 'Payment', 0, 'PaymentProcessed', '{}', '{"correlationId":"42"}', 0)`,
    );

    const store = SqliteEventStore.open({ filename: file });
    const byCorrelation = await store.eventQuery.find({ correlationId: '42', limit: 10 });
    expect(byCorrelation.events.map((event) => event.id)).toEqual(['e1', 'e2']);
    expect((await store.eventQuery.find({ aggregateId: 'p-42', limit: 10 })).events.map((event) => event.id)).toEqual(['e2']);
    await store.close();
    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('user_version', { simple: true })).toBe(eventStoreSchemaVersion);
    reopened.close();
  });

  it('v4 moves the audit lookups of a v3 file into the audit index: its events are found, and the inline indexes are gone', async () => {
    const file = storeFileAt(
      join(dir, 'v3.sqlite'),
      3,
      `('e1', 'Order-42', 'Order', 0, 'OrderPlaced', '{}', '{"correlationId":"42"}', 0),
       ('e2', 'Payment-p-42', 'Payment', 0, 'PaymentProcessed', '{}', '{"correlationId":"42"}', 0),
       ('e3', 'Order-43', 'Order', 0, 'OrderPlaced', '{}', '{}', 0)`,
    );

    const store = SqliteEventStore.open({ filename: file });
    const ids = async (filter: Omit<EventFilter, 'limit'>) => (await store.eventQuery.find({ ...filter, limit: 10 })).events.map((event) => event.id);
    expect(await ids({ correlationId: '42' })).toEqual(['e1', 'e2']);
    expect(await ids({ aggregateId: 'p-42' })).toEqual(['e2']);
    expect(await ids({ eventType: 'OrderPlaced' })).toEqual(['e1', 'e3']);
    expect(store.eventQuery.explain({ eventType: 'OrderPlaced', limit: 10 })[0]).toMatch(/^audit_index key t:/);
    await store.close();
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT indexed_up_to FROM audit_index_state').pluck().get()).toBe(3);
    expect(reopened.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'events_by_%' ORDER BY name").pluck().all()).toEqual([
      'events_by_category',
      'events_by_id',
      'events_by_stream',
    ]);
    reopened.close();
  });
});
