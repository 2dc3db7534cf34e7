import type Database from 'better-sqlite3';
import type { EventFilter, EventPage, EventQuery } from '../event-query.port';
import type { RecordedEvent } from '../event-store.port';
import { type EventRow, eventColumns, toRecordedEvent } from './sqlite-statements';

type Key = 'aggregateId' | 'correlationId' | 'eventType' | 'aggregateType';

/**
 * Each filter, its column and its index `(column, position)`. The first one present in a query
 * drives it (an index range in store order, no sort); the others are checked on the rows it finds.
 * Ids come first: an aggregate or an order has a handful of events, a type or a category up to
 * millions.
 */
const filters: ReadonlyArray<{ readonly key: Key; readonly column: string; readonly index: string }> = [
  { key: 'aggregateId', column: 'aggregate_id', index: 'events_by_aggregate_id' },
  { key: 'correlationId', column: 'correlation_id', index: 'events_by_correlation_id' },
  { key: 'eventType', column: 'type', index: 'events_by_type' },
  { key: 'aggregateType', column: 'category', index: 'events_by_category' },
];

type Bind = Array<string | bigint | number>;

/** `GET /api/events` on the embedded store: one prepared statement per combination of filters, prepared on first use. */
export class SqliteEventQuery implements EventQuery {
  private readonly statements = new Map<string, Database.Statement<Bind, EventRow>>();
  private readonly byIdStatement: Database.Statement<[string], EventRow>;

  constructor(private readonly db: Database.Database) {
    this.byIdStatement = db.prepare(`SELECT ${eventColumns} FROM events WHERE id = ?`).raw(true) as unknown as Database.Statement<
      [string],
      EventRow
    >;
  }

  async find(filter: EventFilter): Promise<EventPage> {
    const bounded = this.boundedScan(filter);
    if (bounded !== undefined) return bounded;
    const { sql, bind } = this.plan(filter);
    // One more than asked: it tells whether another page follows, so the last page says null.
    const rows = this.statement(sql).all(...bind, filter.limit + 1);
    const page = rows.slice(0, filter.limit).map(toRecordedEvent);
    const more = rows.length > filter.limit;
    return { events: page, nextPosition: more ? page[page.length - 1]!.position : null };
  }

  /**
   * Filters that combine, with a scan limit: the first filter's index is read for at most
   * `scanLimit` entries, the others checked on those rows. Two filters that match nothing together
   * (a type of one category asked with another) then cost `scanLimit` entries, not the whole
   * index. A page cut short by the limit answers where the scan stopped as its `nextPosition`.
   */
  private boundedScan(filter: EventFilter): EventPage | undefined {
    const present = filters.filter(({ key }) => filter[key] !== undefined);
    const [driver, ...others] = present;
    if (filter.scanLimit === undefined || driver === undefined || others.length === 0) return undefined;
    const after = filter.after ?? 0n;
    const scanned = `SELECT * FROM events INDEXED BY ${driver.index} WHERE ${driver.column} = ? AND position > ? ORDER BY position LIMIT ?`;
    const sql = `SELECT ${eventColumns} FROM (${scanned}) WHERE ${others.map(({ column }) => `${column} = ?`).join(' AND ')} ORDER BY position LIMIT ?`;
    const rows = this.statement(sql).all(filter[driver.key]!, after, filter.scanLimit, ...others.map(({ key }) => filter[key]!), filter.limit + 1);
    const page = rows.slice(0, filter.limit).map(toRecordedEvent);
    if (rows.length > filter.limit) return { events: page, nextPosition: page[page.length - 1]!.position };
    // Fewer than asked: either nothing more matches, or the scan stopped at its limit. The limit-th entry tells.
    const edge = this.db
      .prepare(`SELECT position FROM events INDEXED BY ${driver.index} WHERE ${driver.column} = ? AND position > ? ORDER BY position LIMIT 1 OFFSET ?`)
      .pluck()
      .get(filter[driver.key]!, after, filter.scanLimit - 1) as number | bigint | undefined;
    return { events: page, nextPosition: edge === undefined ? null : BigInt(edge) };
  }

  async byId(eventId: string): Promise<RecordedEvent | undefined> {
    const row = this.byIdStatement.get(eventId);
    return row === undefined ? undefined : toRecordedEvent(row);
  }

  /** SQLite's plan of the query a filter runs (`EXPLAIN QUERY PLAN`), one line per step. */
  explain(filter: EventFilter): string[] {
    const { sql, bind } = this.plan(filter);
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...bind, filter.limit + 1) as Array<{ detail: string }>;
    return rows.map((row) => row.detail);
  }

  private plan(filter: EventFilter): { sql: string; bind: Bind } {
    const present = filters.filter(({ key }) => filter[key] !== undefined);
    const driver = present[0];
    // INDEXED BY: the statement fails to prepare rather than silently scanning if the index cannot serve it.
    const from = driver === undefined ? 'events' : `events INDEXED BY ${driver.index}`;
    const conditions = present.map(({ column }) => `${column} = ?`);
    conditions.push('position > ?');
    const bind: Bind = present.map(({ key }) => filter[key]!);
    bind.push(filter.after ?? 0n);
    return { sql: `SELECT ${eventColumns} FROM ${from} WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT ?`, bind };
  }

  private statement(sql: string): Database.Statement<Bind, EventRow> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql).raw(true) as unknown as Database.Statement<Bind, EventRow>;
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
