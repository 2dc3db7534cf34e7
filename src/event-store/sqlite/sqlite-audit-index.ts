import type Database from 'better-sqlite3';

/** The audit query's lookups that the append path does not pay for inline. */
export type AuditKeyKind = 'eventType' | 'aggregateId' | 'correlationId';

const prefixes: Readonly<Record<AuditKeyKind, string>> = { eventType: 't:', aggregateId: 'a:', correlationId: 'c:' };

/** The key of an event's entry in `audit_index`: a prefix per kind, then the value. */
export const auditKey = (kind: AuditKeyKind, value: string): string => prefixes[kind] + value;

/** Events the group commit lets wait before it indexes them: the most that a read of the tail scans. */
export const defaultAuditBatch = 1024;

/**
 * The `(key, position)` entries of the events that `where` (a condition on `events`) selects, in key
 * order: what the group commit inserts in batches, and what migration v4 inserted for the events
 * stored before it.
 */
export const auditEntriesOf = (where: string): string =>
  `SELECT '${prefixes.eventType}' || type, position FROM events WHERE ${where}
   UNION ALL SELECT '${prefixes.aggregateId}' || aggregate_id, position FROM events WHERE ${where}
   UNION ALL SELECT '${prefixes.correlationId}' || correlation_id, position FROM events WHERE ${where} AND correlation_id IS NOT NULL
   ORDER BY 1, 2`;

/** Positions up to this one are in `audit_index`; after it, only in `events`. */
export const prepareIndexedUpTo = (db: Database.Database): Database.Statement<[], number> =>
  db.prepare('SELECT indexed_up_to FROM audit_index_state').pluck() as Database.Statement<[], number>;

/**
 * The audit index (`GET /api/events` by event type, aggregate id and correlation id), kept off the
 * append path. Inline B-tree indexes on those columns cost every append a leaf page each in a
 * scattered place (an order's correlation id, a product's id), and each group commit wrote those
 * pages to the WAL again. Instead, once `batchSize` events wait, the group commit adds their entries
 * to `audit_index` in one sorted insert, in the same transaction as its appends; `indexed_up_to`
 * says how far it got. A read takes the positions up to there from `audit_index` and scans the
 * short tail after it (`SqliteEventQuery`): it sees every committed event either way.
 */
export class AuditIndexer {
  private readonly indexedUpTo: Database.Statement<[], number>;
  private readonly head: Database.Statement<[], number | null>;
  private readonly index: Database.Statement<{ from: number; to: number }>;
  private readonly mark: Database.Statement<[number]>;

  constructor(
    db: Database.Database,
    private readonly batchSize = defaultAuditBatch,
  ) {
    this.indexedUpTo = prepareIndexedUpTo(db);
    this.head = db.prepare('SELECT max(position) FROM events').pluck() as Database.Statement<[], number | null>;
    this.index = db.prepare(`INSERT INTO audit_index (key, position) ${auditEntriesOf('position > $from AND position <= $to')}`);
    this.mark = db.prepare('UPDATE audit_index_state SET indexed_up_to = ?');
  }

  /**
   * Inside the group commit's transaction, after its appends: indexes the waiting events if there
   * are enough of them. The mark is read in the transaction, not remembered: another process
   * appending to the same file may have moved it.
   */
  indexIfDue(): void {
    const from = this.indexedUpTo.get() ?? 0;
    const head = this.head.get() ?? 0;
    if (head - from < this.batchSize) return;
    this.index.run({ from, to: head });
    this.mark.run(head);
  }
}
