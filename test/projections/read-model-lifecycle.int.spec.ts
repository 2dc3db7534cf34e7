import { rmSync } from 'node:fs';
import { eventually } from '../../src/shared/testing/eventually';
import { CountsProjection, filesIn, increment, runnerOf, seedCounters, stateOf, sumOf, tablesNamed, TotalsProjection } from './counter-projections';

describe('read models across restarts', () => {
  const files = filesIn('read-model-lifecycle-');
  afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

  it('rebuilds a read model on start when its version changed, serving the old copy untouched until the swap', async () => {
    const store = files.openStore();
    const db = files.openReadModels();
    const sum = await seedCounters(store, 20_000);
    const v1 = runnerOf(store, db, [new TotalsProjection(1)]);
    v1.start();
    await eventually(async () => expect((await v1.status())[0]).toMatchObject({ status: 'live', lag: 0 }));
    await v1.stop();
    expect(sumOf(db)).toBe(sum);

    // Events written while it is stopped, then a new version of the code (it now counts double).
    const later = await store.append('Counter-1', [increment(5)], 'any');
    const v2Projection = new TotalsProjection(2, 2);
    const v2 = runnerOf(store, db, [v2Projection]);
    v2.start();
    const during = (await v2.status())[0]!;
    expect(during).toMatchObject({ version: 1, status: 'rebuilding' });
    // The v2 code never applies to the v1 copy: it serves as it was until the swap.
    expect(sumOf(db)).toBe(sum);
    await eventually(async () => expect((await v2.status())[0]).toMatchObject({ version: 2, status: 'live', lag: 0 }));
    expect(sumOf(db)).toBe(2 * (sum + 5));
    expect(v2Projection.applied).toBe(20_001);
    expect(stateOf(db, 'totals')).toMatchObject({ version: 2, checkpoint: Number(later.position) });
    await v2.stop();

    // Same version again: no rebuild, it goes on from its checkpoint.
    const again = new TotalsProjection(2, 2);
    const v2Again = runnerOf(store, db, [again]);
    v2Again.start();
    const next = await store.append('Counter-1', [increment(1)], 'any');
    expect(await v2Again.waitFor('totals', next.position)).toBe(true);
    expect(again.applied).toBe(1);
    await v2Again.stop();
    await store.close();
    db.close();
  });

  it('builds a read model added later from the whole history on start', async () => {
    const store = files.openStore();
    const db = files.openReadModels();
    const before = runnerOf(store, db, [new TotalsProjection(2, 2)]);
    before.start();
    await eventually(async () => expect((await before.status())[0]).toMatchObject({ status: 'live', lag: 0 }));
    await before.stop();

    const withCounts = runnerOf(store, db, [new TotalsProjection(2, 2), new CountsProjection()]);
    withCounts.start();
    const head = await store.headCheckpoint({ kind: 'category', category: 'Counter' });
    expect(await withCounts.waitFor('counts', head, 10_000)).toBe(true);
    const counted = db.prepare('SELECT sum(events) AS n FROM counts').get() as { n: number };
    const stored = (await store.readCategory('Counter', { maxCount: 100_000 })).length;
    expect(counted.n).toBe(stored);
    expect((await withCounts.status()).map((item) => [item.name, item.status])).toEqual([
      ['totals', 'live'],
      ['counts', 'live'],
    ]);
    await withCounts.stop();
    await store.close();
    db.close();
  });

  it('adopts the tables of a read model written before copies existed, going on from their checkpoint', async () => {
    const legacy = filesIn('read-model-legacy-');
    const store = legacy.openStore();
    const db = legacy.openReadModels();
    await store.append('Counter-1', [increment(1), increment(2)], 'any');
    const applied = await store.append('Counter-1', [increment(3)], 'any');
    // The layout of the runner before blue/green: tables under their own names, a checkpoint table.
    db.exec(`CREATE TABLE totals (stream TEXT PRIMARY KEY, total INTEGER NOT NULL);
             CREATE INDEX totals_old_index ON totals (total);
             INSERT INTO totals VALUES ('Counter-1', 6);
             CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, checkpoint INTEGER NOT NULL) WITHOUT ROWID;`);
    db.prepare("INSERT INTO projection_checkpoints VALUES ('projection:totals', ?)").run(applied.position);
    const after = await store.append('Counter-1', [increment(10)], 'any');

    const runner = runnerOf(store, db, [new TotalsProjection()]);
    runner.start();
    expect(await runner.waitFor('totals', after.position)).toBe(true);
    expect(sumOf(db)).toBe(16);
    expect(stateOf(db, 'totals')).toMatchObject({ version: 1, generation: 0 });
    expect(tablesNamed(db, 'totals')).toEqual(['totals__g0']);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'totals__g0' AND sql IS NOT NULL").all();
    expect(indexes).toEqual([{ name: 'totals__g0_by_total' }]);
    expect(await runner.rebuild('totals')).toMatchObject({ outcome: 'rebuilt' });
    expect(sumOf(db)).toBe(16);
    await runner.stop();
    await store.close();
    db.close();
    rmSync(legacy.dir, { recursive: true, force: true });
  });
});
