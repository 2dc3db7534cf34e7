import type Database from 'better-sqlite3';
import type { EventFilter, EventPage, EventQuery } from '../event-query.port';
import type { RecordedEvent } from '../event-store.port';
import { type AuditKeyKind, auditKey, prepareIndexedUpTo } from './sqlite-audit-index';
import { type EventRow, eventColumns, toRecordedEvent } from './sqlite-statements';

/** A filter, its column, and where it is looked up: in `audit_index`, or (the category) in the events table's own index. */
type Filter =
  | { readonly key: AuditKeyKind; readonly column: string; readonly audited: true }
  | { readonly key: 'aggregateType'; readonly column: string; readonly audited: false };
type AuditedFilter = Extract<Filter, { audited: true }>;

/**
 * The first filter present in a query drives it (an index range in store
 * order, no sort); the others are checked on the rows it finds. Ids come first: an aggregate or an
 * order has a handful of events, a type or a category up to millions.
 */
const filters: readonly Filter[] = [
  { key: 'aggregateId', column: 'aggregate_id', audited: true },
  { key: 'correlationId', column: 'correlation_id', audited: true },
  { key: 'eventType', column: 'type', audited: true },
  { key: 'aggregateType', column: 'category', audited: false },
];

type Bind = Array<string | bigint | number>;

const joinedColumns = eventColumns
  .split(', ')
  .map((column) => `e.${column}`)
  .join(', ');

/** The statements of a query driven by an audited filter: the indexed part, then the tail after it. */
interface AuditedSql {
  readonly indexed: string;
  readonly indexedEdge: string;
  readonly tail: string;
  readonly tailEdge: string;
}

/**
 * `GET /api/events` on the embedded store: one prepared statement per combination of filters,
 * prepared on first use. A query driven by an audited filter reads in two parts, both in store
 * order: the positions up to `indexed_up_to` from `audit_index`, then the unindexed tail after it,
 * at most about one audit batch of events (see `AuditIndexer`).
 */
export class SqliteEventQuery implements EventQuery {
  private readonly statements = new Map<string, Database.Statement<Bind, EventRow>>();
  private readonly edgeStatements = new Map<string, Database.Statement<Bind, number | bigint>>();
  private readonly byIdStatement: Database.Statement<[string], EventRow>;
  private readonly indexedUpTo: Database.Statement<[], number>;

  constructor(private readonly db: Database.Database) {
    this.byIdStatement = db.prepare(`SELECT ${eventColumns} FROM events WHERE id = ?`).raw(true) as unknown as Database.Statement<
      [string],
      EventRow
    >;
    this.indexedUpTo = prepareIndexedUpTo(db);
  }

  async find(filter: EventFilter): Promise<EventPage> {
    const [driver, ...others] = filters.filter(({ key }) => filter[key] !== undefined);
    if (driver?.audited === true) return this.audited(filter, driver, others);
    // Driven by the category, or by nothing: no other filter can be present (the category comes last).
    const { sql, bind } = this.categoryOrAll(driver);
    const rows = this.statement(sql).all(...bind(filter), filter.limit + 1);
    return pageOf(rows, filter.limit, null);
  }

  /**
   * With filters that combine and a scan limit, each part reads at most `scanLimit` entries of the
   * driving filter and checks the others on those rows: two filters that match nothing together (a
   * type of one category asked with another) then cost `scanLimit` entries, not the whole index. A
   * page cut short by the limit answers where the scan stopped as its `nextPosition`.
   */
  private audited(filter: EventFilter, driver: AuditedFilter, others: readonly Filter[]): EventPage {
    const bounded = filter.scanLimit !== undefined && others.length > 0;
    const sql = auditedSql(driver, others, bounded);
    const value = filter[driver.key]!;
    const otherValues = others.map(({ key }) => filter[key]!);
    const want = filter.limit + 1;
    const after = filter.after ?? 0n;
    const indexedUpTo = BigInt(this.indexedUpTo.get() ?? 0);
    const scan: Bind = bounded ? [filter.scanLimit!] : [];
    const rows: EventRow[] = [];
    if (after < indexedUpTo) {
      const key = auditKey(driver.key, value);
      rows.push(...this.statement(sql.indexed).all(key, after, indexedUpTo, ...scan, ...otherValues, want));
      const edge = bounded && rows.length < want ? this.edge(sql.indexedEdge, key, after, indexedUpTo, filter.scanLimit! - 1) : undefined;
      if (edge !== undefined) return pageOf(rows, filter.limit, edge);
    }
    if (rows.length < want) {
      const from = after > indexedUpTo ? after : indexedUpTo;
      rows.push(...this.statement(sql.tail).all(from, value, ...scan, ...otherValues, want - rows.length));
      const edge = bounded && rows.length < want ? this.edge(sql.tailEdge, from, value, filter.scanLimit! - 1) : undefined;
      if (edge !== undefined) return pageOf(rows, filter.limit, edge);
    }
    return pageOf(rows, filter.limit, null);
  }

  /** The position of the scan's last allowed entry, if there is one: there the scan stopped. */
  private edge(sql: string, ...bind: Bind): bigint | undefined {
    let statement = this.edgeStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql).pluck() as Database.Statement<Bind, number | bigint>;
      this.edgeStatements.set(sql, statement);
    }
    const position = statement.get(...bind);
    return position === undefined ? undefined : BigInt(position);
  }

  async byId(eventId: string): Promise<RecordedEvent | undefined> {
    const row = this.byIdStatement.get(eventId);
    return row === undefined ? undefined : toRecordedEvent(row);
  }

  /**
   * SQLite's plan of the query a filter runs (`EXPLAIN QUERY PLAN`), one line per step; for an
   * audited driver, a line naming the key range it reads, then the plans of both parts.
   */
  explain(filter: EventFilter): string[] {
    const [driver, ...others] = filters.filter(({ key }) => filter[key] !== undefined);
    const planOf = (sql: string, bind: Bind) =>
      (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...bind) as Array<{ detail: string }>).map((row) => row.detail);
    if (driver?.audited !== true) {
      const { sql, bind } = this.categoryOrAll(driver);
      return planOf(sql, [...bind(filter), filter.limit + 1]);
    }
    const sql = auditedSql(driver, others, false);
    const otherValues = others.map(({ key }) => filter[key]!);
    const value = filter[driver.key]!;
    return [
      `audit_index key ${auditKey(driver.key, '')}…`,
      ...planOf(sql.indexed, [auditKey(driver.key, value), 0n, 0n, ...otherValues, 1]),
      ...planOf(sql.tail, [0n, value, ...otherValues, 1]),
    ];
  }

  private categoryOrAll(driver: Filter | undefined): { sql: string; bind: (filter: EventFilter) => Bind } {
    if (driver === undefined) {
      return { sql: `SELECT ${eventColumns} FROM events WHERE position > ? ORDER BY position LIMIT ?`, bind: (filter) => [filter.after ?? 0n] };
    }
    // INDEXED BY: the statement fails to prepare rather than silently scanning if the index cannot serve it.
    return {
      sql: `SELECT ${eventColumns} FROM events INDEXED BY events_by_category WHERE category = ? AND position > ? ORDER BY position LIMIT ?`,
      bind: (filter) => [filter.aggregateType!, filter.after ?? 0n],
    };
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

const pageOf = (rows: readonly EventRow[], limit: number, edge: bigint | null): EventPage => {
  const page = rows.slice(0, limit).map(toRecordedEvent);
  // One more than asked was read: it tells whether another page follows, so the last page says null.
  return { events: page, nextPosition: rows.length > limit ? page[page.length - 1]!.position : edge };
};

/**
 * The indexed part joins `audit_index` to the events by position (CROSS JOIN keeps that order of
 * the loops); the tail reads the events after the indexed ones by position (NOT INDEXED: no other
 * index may drive it). Bounded, each part reads at most `scanLimit` entries of the driving filter.
 */
const auditedSql = (driver: AuditedFilter, others: readonly Filter[], bounded: boolean): AuditedSql => {
  const checks = others.map(({ column }) => `e.${column} = ?`);
  const where = (first: string[]) => [...first, ...checks].join(' AND ');
  const indexedRange = 'key = ? AND position > ? AND position <= ?';
  const tailRange = `position > ? AND ${driver.column} = ?`;
  if (!bounded) {
    return {
      indexed: `SELECT ${joinedColumns} FROM audit_index AS a CROSS JOIN events AS e ON e.position = a.position WHERE ${where(['a.key = ?', 'a.position > ?', 'a.position <= ?'])} ORDER BY a.position LIMIT ?`,
      tail: `SELECT ${joinedColumns} FROM events AS e NOT INDEXED WHERE ${where([`e.position > ?`, `e.${driver.column} = ?`])} ORDER BY e.position LIMIT ?`,
      indexedEdge: '',
      tailEdge: '',
    };
  }
  const filtered = checks.join(' AND ');
  return {
    indexed: `SELECT ${joinedColumns} FROM (SELECT position FROM audit_index WHERE ${indexedRange} ORDER BY position LIMIT ?) AS a CROSS JOIN events AS e ON e.position = a.position WHERE ${filtered} ORDER BY a.position LIMIT ?`,
    tail: `SELECT ${joinedColumns} FROM (SELECT * FROM events NOT INDEXED WHERE ${tailRange} ORDER BY position LIMIT ?) AS e WHERE ${filtered} ORDER BY e.position LIMIT ?`,
    indexedEdge: `SELECT position FROM audit_index WHERE ${indexedRange} ORDER BY position LIMIT 1 OFFSET ?`,
    tailEdge: `SELECT position FROM events NOT INDEXED WHERE ${tailRange} ORDER BY position LIMIT 1 OFFSET ?`,
  };
};
