import type Database from 'better-sqlite3';
import type { ReplayedEvent } from '../../event-store/event-store.port';

/** The physical name of each of a projection's tables, by the name its readers query. */
export type TableNames<Table extends string = string> = Readonly<Record<Table, string>>;

/**
 * Applies one event to the tables it was prepared against. It sees no id, revision or metadata of
 * the event (a `ReplayedEvent`), so that a rebuild need not read them from the store.
 */
export type ApplyEvent = (event: ReplayedEvent) => void;

/**
 * Folds events in memory and writes each row they touch once, where applying them one by one
 * would write a row once per event (an order's four events: one INSERT instead of an INSERT and
 * three UPDATEs). A rebuild uses it when the projection has one.
 */
export interface BatchWriter {
  /** Takes the next event, in store order. Touches no table. */
  add(event: ReplayedEvent): void;
  /**
   * Writes what the events taken since the last write leave: exactly the rows that applying each
   * of them in order with the projection's `writer` would leave, whatever the tables held before.
   * Runs inside the caller's transaction.
   */
  write(): void;
}

/** A batch writer that applies each event in turn, for projections without one of their own. */
export const eventByEvent = (apply: ApplyEvent): BatchWriter => {
  let taken: ReplayedEvent[] = [];
  return {
    add: (event) => void taken.push(event),
    write: () => {
      const events = taken;
      taken = [];
      for (const event of events) apply(event);
    },
  };
};

/**
 * A read model: tables of its own in the read-model database, kept up to date from one category of
 * the store. The runner decides where the tables live (blue/green: a rebuild fills a new copy while
 * readers keep the old one), so a projection writes only to the physical names it is given, and
 * names its indexes after them. Readers query the logical names (`tables`), which always point to
 * the copy that serves.
 */
export interface Projection<Table extends string = string> {
  readonly name: string;
  /** The category whose events it reads (`Order` for `$ce-Order`). */
  readonly category: string;
  /** Bump it whenever `apply` or the tables change: the read model is then rebuilt from the store on the next start. */
  readonly version: number;
  /** Its tables, by the names its readers query; unique in the read-model database. */
  readonly tables: readonly Table[];
  /** Creates its tables, with the indexes its writer needs, under the physical names given (index names derived from them). */
  setup(db: Database.Database, tables: TableNames<Table>): void;
  /**
   * Creates the indexes only its readers need. A rebuild makes them once it has filled its copy
   * (building an index over the rows at the end is much cheaper than keeping it up to date row by
   * row); a new copy gets them at once. Their names derive from the physical table names too.
   */
  indexes?(db: Database.Database, tables: TableNames<Table>): void;
  /**
   * Prepares its statements against those tables, once, and returns the function that applies one
   * event: synchronous, run inside the transaction that also saves the checkpoint, so rows and
   * checkpoint never disagree. Ignores event types it does not know.
   */
  writer(db: Database.Database, tables: TableNames<Table>): ApplyEvent;
  /**
   * Optional, for rebuilds: prepares its statements and returns a fold that writes each row once
   * per batch, with the same rows as `writer`. Live events always go through `writer`.
   */
  batchWriter?(db: Database.Database, tables: TableNames<Table>): BatchWriter;
  /**
   * For a read model that keeps personal data: forgets the subject's (sets it to null), at once,
   * when the store has destroyed the subject's key (CONTRACT §7). Its rebuilds read the fields as null.
   */
  erasePersonalData?(db: Database.Database, tables: TableNames<Table>, subject: string): void;
}

/** Each table under its own name: for a projection used on its own, as in unit tests. */
export const ownTableNames = <Table extends string>(projection: Projection<Table>): TableNames<Table> => {
  const names: Record<string, string> = {};
  for (const table of projection.tables) names[table] = table;
  return names as TableNames<Table>;
};

let lastTime = Number.NaN;
let lastIso = '';

/**
 * `date.toISOString()`, remembering the last one: the events of one commit share their time, and
 * formatting it is a noticeable share of applying an event during a rebuild.
 */
export const isoTime = (date: Date): string => {
  const time = date.getTime();
  if (time !== lastTime) {
    lastIso = date.toISOString();
    lastTime = time;
  }
  return lastIso;
};
