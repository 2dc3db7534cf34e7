import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ReplayedEvent } from '../../event-store/event-store.port';
import { openDatabase } from '../../event-store/sqlite/open-database';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { newEventId } from '../application/event-ids';
import type { Projection, TableNames } from './projection';
import { ProjectionRunner } from './projection-runner';

/** Sums the `by` of each stream's events, in a table named as the read model (two of them may run side by side). */
class TotalsProjection implements Projection<string> {
  readonly category = 'Counter';
  readonly version = 1;
  readonly tables: readonly string[];
  failOn: number | undefined;
  constructor(readonly name = 'totals') {
    this.tables = [name];
  }
  setup(db: Database.Database, tables: TableNames<string>) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${tables[this.name]} (stream TEXT PRIMARY KEY, total INTEGER NOT NULL)`);
  }
  writer(db: Database.Database, tables: TableNames<string>) {
    const add = db.prepare(
      `INSERT INTO ${tables[this.name]} (stream, total) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET total = total + excluded.total`,
    );
    return (event: ReplayedEvent) => {
      const { by } = event.data as { by: number };
      add.run(event.streamName, by);
      if (by === this.failOn) throw new Error('cannot apply');
    };
  }
}

const logger = pino({ level: 'silent' });
const increment = (by: number) => [{ id: newEventId(), type: 'Incremented', data: { by } }];
const total = (db: Database.Database) =>
  (db.prepare("SELECT total FROM totals WHERE stream = 'Counter-1'").get() as { total: number } | undefined)?.total;

describe('projection runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projection-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the history and live events, and resumes from its checkpoint after a restart without applying anything twice', async () => {
    const store = SqliteEventStore.open({ filename: join(dir, 'events.sqlite') });
    const readModels = openDatabase({ filename: join(dir, 'read-models.sqlite') });
    for (let n = 1; n <= 10; n++) await store.append('Counter-1', increment(n), 'any');
    await store.append('Other-1', increment(1000), 'any');

    const first = new ProjectionRunner(store, readModels, [new TotalsProjection()], logger);
    first.start();
    const live = await store.append('Counter-1', increment(100), 'any');
    expect(await first.waitFor('totals', live.position)).toBe(true);
    expect(total(readModels)).toBe(155);
    await first.stop();

    const later = await store.append('Counter-1', increment(1), 'any');
    const second = new ProjectionRunner(store, readModels, [new TotalsProjection()], logger);
    second.start();
    expect(await second.waitFor('totals', later.position)).toBe(true);
    expect(total(readModels)).toBe(156);
    expect(await second.status()).toEqual([{ name: 'totals', version: 1, position: later.position.toString(), lag: 0, status: 'live' }]);
    await second.stop();
    await store.close();
    readModels.close();
  });

  it('commits a row change and its checkpoint together: a failing apply leaves neither', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    const readModels = openDatabase({ filename: ':memory:' });
    const projection = new TotalsProjection();
    projection.failOn = 2;
    await store.append('Counter-1', increment(1), 'any');
    const failing = await store.append('Counter-1', increment(2), 'any');
    const runner = new ProjectionRunner(store, readModels, [projection], logger);
    runner.start();
    expect(await runner.waitFor('totals', failing.position, 300)).toBe(false);
    expect(total(readModels)).toBe(1);
    const [status] = await runner.status();
    expect(status).toMatchObject({ status: 'failed', lag: 1 });
    await runner.stop();
    await store.close();
  });

  it('stops a live read model right before an event it cannot apply, while the others written in the same turn commit', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    const readModels = openDatabase({ filename: ':memory:' });
    const projection = new TotalsProjection();
    projection.failOn = 2;
    const runner = new ProjectionRunner(store, readModels, [projection, new TotalsProjection('sums')], logger);
    runner.start();
    expect(await runner.waitFor('sums', (await store.append('Counter-1', increment(10), 'any')).position)).toBe(true);
    const appended = await store.append('Counter-1', [...increment(1), ...increment(2), ...increment(3)], 'any');
    expect(await runner.waitFor('sums', appended.position)).toBe(true);
    expect(readModels.prepare("SELECT total FROM sums WHERE stream = 'Counter-1'").pluck().get()).toBe(16);
    expect(await runner.waitFor('totals', appended.position, 300)).toBe(false);
    expect(total(readModels)).toBe(11);
    expect((await runner.status()).find(({ name }) => name === 'totals')).toMatchObject({ status: 'failed', lag: 2 });
    await runner.stop();
    await store.close();
  });

  it('answers false, not an error, when the store cannot say where a committed write stands', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    const readModels = openDatabase({ filename: ':memory:' });
    const appended = await store.append('Counter-1', increment(1), 'any');
    store.checkpointAt = () => Promise.reject(new Error('connection reset'));
    const runner = new ProjectionRunner(store, readModels, [new TotalsProjection()], logger);
    runner.start();
    await expect(runner.waitFor('totals', appended.position, 300)).resolves.toBe(false);
    await runner.stop();
    await store.close();
  });

  it('follows again once another process lets go of the read-model database, instead of stopping', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    const file = join(dir, 'locked-read-models.sqlite');
    const readModels = openDatabase({ filename: file });
    readModels.pragma('busy_timeout = 20');
    const runner = new ProjectionRunner(store, readModels, [new TotalsProjection()], logger);
    runner.start();
    expect(await runner.waitFor('totals', (await store.append('Counter-1', increment(1), 'any')).position)).toBe(true);
    const otherProcess = openDatabase({ filename: file });
    otherProcess.exec('BEGIN IMMEDIATE');
    const appended = await store.append('Counter-1', increment(2), 'any');
    expect(await runner.waitFor('totals', appended.position, 200)).toBe(false);
    otherProcess.exec('COMMIT');
    otherProcess.close();
    expect(await runner.waitFor('totals', appended.position, 3000)).toBe(true);
    expect(total(readModels)).toBe(3);
    expect((await runner.status())[0]).toMatchObject({ status: 'live', lag: 0 });
    await runner.stop();
    await store.close();
    readModels.close();
  });
});
