import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { eventually } from '../../src/shared/testing/eventually';
import { filesIn, FoldedTotalsProjection, increment, runnerOf, seedCounters, stateOf, sumOf, tablesNamed, TotalsProjection } from './counter-projections';

/** A pid that no process has any more. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

describe('blue/green rebuilds of a read model', () => {
  const files = filesIn('blue-green-');
  afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

  it('rebuilds into a new copy while readers keep the old one and live events go on; swaps atomically, loses nothing', async () => {
    const store = files.openStore();
    const db = files.openReadModels();
    let expected = await seedCounters(store, 30_000);
    const runner = runnerOf(store, db, [new TotalsProjection()]);
    runner.start();
    const head = await store.headCheckpoint({ kind: 'all' });
    expect(await runner.waitFor('totals', head, 10_000)).toBe(true);
    expect(sumOf(db)).toBe(expected);
    expect(stateOf(db, 'totals')).toMatchObject({ version: 1, generation: 1 });

    expect(runner.requestRebuild('totals')).toBe('started');
    expect(runner.requestRebuild('totals')).toBe('already_rebuilding');
    expect(tablesNamed(db, 'totals__g')).toEqual(['totals__g1', 'totals__g2']);

    // While it rebuilds: append live events, and read. Readers only ever see a whole copy.
    const seen: string[] = [];
    let by = 1_000_000;
    while (stateOf(db, 'totals')!.generation === 1) {
      const status = (await runner.status())[0]!;
      seen.push(status.status);
      await store.append('Counter-live', [increment(++by)], 'any');
      expected += by;
      const sum = sumOf(db);
      expect(sum).toBeGreaterThanOrEqual(expected - by);
      if (status.status === 'rebuilding') expect(status.progress).toBeGreaterThanOrEqual(0);
    }
    expect(seen).toContain('rebuilding');
    const last = await store.append('Counter-live', [increment(++by)], 'any');
    expected += by;
    expect(await runner.waitFor('totals', last.position)).toBe(true);
    expect(sumOf(db)).toBe(expected);
    expect(stateOf(db, 'totals')).toMatchObject({ version: 1, generation: 2, checkpoint: Number(last.position) });
    expect(tablesNamed(db, 'totals__g')).toEqual(['totals__g2']);
    expect((await runner.status())[0]).toEqual({ name: 'totals', version: 1, position: last.position.toString(), lag: 0, status: 'live' });
    await runner.stop();
    await store.close();
    db.close();
  });

  it('rebuilds through a batch writer, folding several pages before each write, to the same rows, with live events going on', async () => {
    const store = files.openStore();
    const db = files.openReadModels();
    const projection = new FoldedTotalsProjection();
    const runner = runnerOf(store, db, [projection], { batchSize: 500, foldSize: 4000, watchIntervalMs: 20 });
    runner.start();
    await eventually(async () => expect((await runner.status())[0]).toMatchObject({ status: 'live', lag: 0 }));
    const { generation } = stateOf(db, 'totals')!;
    let expected = sumOf(db);
    const events = (await store.readCategory('Counter', { maxCount: 1_000_000 })).length;

    const rebuilt = runner.rebuild('totals');
    const live = await store.append('Counter-live', [increment(3)], 'any');
    expected += 3;
    expect(await rebuilt).toMatchObject({ outcome: 'rebuilt', events: events + 1 });
    // Pages of 500 events, written every 4,000; then once caught up (before the readers' indexes), and with the swap.
    expect(projection.writes).toBe(Math.floor((events + 1) / 4000) + 2);
    expect(await runner.waitFor('totals', live.position)).toBe(true);
    expect(sumOf(db)).toBe(expected);
    expect(stateOf(db, 'totals')).toMatchObject({ generation: generation + 1, checkpoint: Number(live.position) });
    await runner.stop();
    await store.close();
    db.close();
  });

  it('leaves the old copy serving when a rebuild fails, drops the partial copy, and can run it again', async () => {
    const store = files.openStore();
    const db = files.openReadModels();
    const projection = new TotalsProjection();
    const runner = runnerOf(store, db, [projection]);
    runner.start();
    await eventually(async () => expect((await runner.status())[0]).toMatchObject({ status: 'live', lag: 0 }));
    const before = sumOf(db);
    const generation = stateOf(db, 'totals')!.generation;

    projection.failOn = 20_000;
    const failed = await runner.rebuild('totals');
    expect(failed).toMatchObject({ outcome: 'failed' });
    expect(sumOf(db)).toBe(before);
    expect(stateOf(db, 'totals')!.generation).toBe(generation);
    expect(tablesNamed(db, 'totals__g')).toEqual([`totals__g${generation}`]);
    expect((await runner.status())[0]).toMatchObject({ status: 'live', lastRebuildError: 'cannot apply 20000' });

    projection.failOn = undefined;
    expect(await runner.rebuild('totals')).toMatchObject({ outcome: 'rebuilt' });
    expect(sumOf(db)).toBe(before);
    expect(stateOf(db, 'totals')!.generation).toBe(generation + 1);
    expect((await runner.status())[0]).not.toHaveProperty('lastRebuildError');
    await runner.stop();
    await store.close();
    db.close();
  });

  it('follows a swap made by another process (the CLI) and applies the next events to the new copy', async () => {
    const server = { store: files.openStore(), db: files.openReadModels() };
    const cli = { store: files.openStore(), db: files.openReadModels() };
    const serverRunner = runnerOf(server.store, server.db, [new TotalsProjection()]);
    serverRunner.start();
    await eventually(async () => expect((await serverRunner.status())[0]).toMatchObject({ status: 'live', lag: 0 }));
    const before = sumOf(server.db);
    const generation = stateOf(server.db, 'totals')!.generation;

    const cliRunner = runnerOf(cli.store, cli.db, [new TotalsProjection()]);
    const rebuilt = cliRunner.rebuild('totals');
    // The server sees the rebuild the CLI runs, and refuses a second one.
    await eventually(async () => expect((await serverRunner.status())[0]!.status).toBe('rebuilding'), 5000, 1);
    expect(serverRunner.requestRebuild('totals')).toBe('already_rebuilding');
    expect(await rebuilt).toMatchObject({ outcome: 'rebuilt' });
    await cliRunner.stop();
    await cli.store.close();
    cli.db.close();

    const next = await server.store.append('Counter-1', [increment(7)], 'any');
    expect(await serverRunner.waitFor('totals', next.position)).toBe(true);
    expect(stateOf(server.db, 'totals')).toMatchObject({ generation: generation + 1, checkpoint: Number(next.position) });
    expect(sumOf(server.db)).toBe(before + 7);
    await serverRunner.stop();
    await server.store.close();
    server.db.close();
  });

  it('takes a rebuild whose owner died for dead: not shown as rebuilding, dropped on start, and a new one may run', async () => {
    const store = files.openStore();
    const db = files.openReadModels();
    const runner = runnerOf(store, db, [new TotalsProjection()]);
    const { generation } = stateOf(db, 'totals')!;
    const orphan = (owner: string) => {
      db.exec(`CREATE TABLE totals__g${generation + 5} (stream TEXT PRIMARY KEY, total INTEGER NOT NULL)`);
      db.prepare(
        `INSERT INTO projection_rebuilds (name, version, generation, tables, checkpoint, owner, heartbeat_at, started_at)
         VALUES ('totals', 1, ?, '["totals"]', 10, ?, ?, ?)`,
      ).run(generation + 5, owner, Date.now(), Date.now());
    };
    orphan(`${deadPid()}@${hostname()}#killed`);
    expect((await runner.status())[0]!.status).not.toBe('rebuilding');
    expect(runner.requestRebuild('totals')).toBe('started');
    await eventually(() => expect(stateOf(db, 'totals')!.generation).toBe(generation + 6));
    expect(tablesNamed(db, 'totals__g')).toEqual([`totals__g${generation + 6}`]);

    orphan(`${deadPid()}@${hostname()}#killed-again`);
    runner.start();
    expect(tablesNamed(db, 'totals__g')).toEqual([`totals__g${generation + 6}`]);
    expect(db.prepare('SELECT count(*) AS n FROM projection_rebuilds').get()).toEqual({ n: 0 });
    await runner.stop();
    await store.close();
    db.close();
  });
});
