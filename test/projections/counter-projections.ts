import type Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ReplayedEvent } from '../../src/event-store/event-store.port';
import { openDatabase } from '../../src/event-store/sqlite/open-database';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEventId } from '../../src/shared/application/event-ids';
import type { BatchWriter, Projection, TableNames } from '../../src/shared/read-models/projection';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../../src/shared/read-models/projection-runner';

/** Sums the `by` of each `Counter-<n>` stream; `factor` and `version` let a test change what it computes. */
export class TotalsProjection implements Projection<'totals'> {
  readonly name = 'totals';
  readonly category = 'Counter';
  readonly tables = ['totals'] as const;
  failOn: number | undefined;
  applied = 0;

  constructor(
    readonly version = 1,
    private readonly factor = 1,
  ) {}

  setup(db: Database.Database, { totals }: TableNames<'totals'>) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${totals} (stream TEXT PRIMARY KEY, total INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS ${totals}_by_total ON ${totals} (total)`);
  }

  writer(db: Database.Database, { totals }: TableNames<'totals'>) {
    const add = db.prepare(
      `INSERT INTO ${totals} (stream, total) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET total = total + excluded.total`,
    );
    return (event: ReplayedEvent) => {
      const { by } = event.data as { by: number };
      if (by === this.failOn) throw new Error(`cannot apply ${by}`);
      add.run(event.streamName, by * this.factor);
      this.applied++;
    };
  }
}

/** The same totals, rebuilt by a batch writer: each stream's increments of a batch summed, then one write per stream. */
export class FoldedTotalsProjection extends TotalsProjection {
  writes = 0;

  batchWriter(db: Database.Database, { totals }: TableNames<'totals'>): BatchWriter {
    const add = db.prepare(
      `INSERT INTO ${totals} (stream, total) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET total = total + excluded.total`,
    );
    const sums = new Map<string, number>();
    return {
      add: (event) => {
        const { by } = event.data as { by: number };
        if (by === this.failOn) throw new Error(`cannot apply ${by}`);
        sums.set(event.streamName, (sums.get(event.streamName) ?? 0) + by);
      },
      write: () => {
        for (const [stream, sum] of sums) add.run(stream, sum);
        sums.clear();
        this.writes++;
      },
    };
  }
}

/** Counts the events of each stream: a read model added later. */
export class CountsProjection implements Projection<'counts'> {
  readonly name = 'counts';
  readonly category = 'Counter';
  readonly version = 1;
  readonly tables = ['counts'] as const;
  setup(db: Database.Database, { counts }: TableNames<'counts'>) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${counts} (stream TEXT PRIMARY KEY, events INTEGER NOT NULL)`);
  }
  writer(db: Database.Database, { counts }: TableNames<'counts'>) {
    const add = db.prepare(`INSERT INTO ${counts} (stream, events) VALUES (?, 1) ON CONFLICT (stream) DO UPDATE SET events = events + 1`);
    return (event: ReplayedEvent) => void add.run(event.streamName);
  }
}

export const logger = pino({ level: 'silent' });

export const increment = (by: number) => ({ id: newEventId(), type: 'Incremented', data: { by } });

/** Appends `count` increments of 1..count over `streams` streams, many appends in flight; their sum. */
export const seedCounters = async (store: SqliteEventStore, count: number, streams = 50): Promise<number> => {
  let sum = 0;
  for (let first = 1; first <= count; first += 5000) {
    const appends: Promise<unknown>[] = [];
    for (let by = first; by < Math.min(first + 5000, count + 1); by++) {
      sum += by;
      appends.push(store.append(`Counter-${by % streams}`, [increment(by)], 'any'));
    }
    await Promise.all(appends);
  }
  return sum;
};

export const sumOf = (db: Database.Database): number =>
  (db.prepare('SELECT coalesce(sum(total), 0) AS sum FROM totals').get() as { sum: number }).sum;

export const stateOf = (db: Database.Database, name: string) =>
  db.prepare('SELECT version, generation, checkpoint FROM projection_state WHERE name = ?').get(name) as
    | { version: number; generation: number; checkpoint: number }
    | undefined;

export const tablesNamed = (db: Database.Database, prefix: string): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ORDER BY name").all(`${prefix}%`) as Array<{ name: string }>).map(
    (row) => row.name,
  );

/** A store and a read-model database in files of a fresh directory, as a server has them; `open` gives another process's connections. */
export const filesIn = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    openStore: () => SqliteEventStore.open({ filename: join(dir, 'events.sqlite') }),
    openReadModels: () => openDatabase({ filename: join(dir, 'read-models.sqlite') }),
  };
};

export const runnerOf = (
  store: SqliteEventStore,
  db: Database.Database,
  projections: Projection[],
  options: ProjectionRunnerOptions = { batchSize: 500, watchIntervalMs: 20 },
) => new ProjectionRunner(store, db, projections, logger, options);
