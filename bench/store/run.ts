/**
 * `npm run bench:store`: our embedded event store against Emmett's SQLite store and bare
 * better-sqlite3, on the same work, in one run. The table goes to stdout and bench/results/store.md;
 * the last line of stdout is the one-line summary.
 *
 * Ours and the floor are measured in alternating rounds (best round kept), so that a noisy
 * neighbour on the machine weighs on both alike; Emmett, 100× slower, is measured once per work.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type Budget,
  DURABILITY,
  type Row,
  SEED_EVENTS,
  appendWork,
  cleanup,
  expectedFold,
  expectedReplaySum,
  freshDir,
  log,
  measure,
  picker,
} from './common';
import { EMMETT_DURABILITY_NOTE, emmettAppender, emmettReader, emmettReplay, openEmmett, seedEmmett } from './emmett';
import { floorAppender, floorReader, floorReplay, indexedFloorAppender, openFloor, openIndexedFloor, seedFloor } from './floor';
import { oursAppender, oursConcurrentAppend1, oursRead, oursReplay, openOurs, openSealed, openUpcasting, sealedNote, seedOurs } from './ours';

const ROUNDS = 3;
const ROUND: Budget = { warmupOps: 1000, maxOps: 1_000_000, maxMs: 1000 };
const EMMETT: Budget = { warmupOps: 50, maxOps: 1500, maxMs: 8000 };
const PAGE = 1000;
const IN_FLIGHT = 64;
const REPLAY_PASSES = 2;

const OURS = 'ours (SqliteEventStore)';
const OURS_FULL = `${OURS}, synchronous=FULL`;
const OURS_SEALED = `${OURS}, personal fields sealed`;
const OURS_UPCAST = `${OURS}, every event upcast`;
const EMMETT_NAME = 'Emmett 0.38.5 (emmett-sqlite)';
const FLOOR = 'floor (bare better-sqlite3)';
const INDEXED_FLOOR = 'indexed floor (bare inserts, the store\'s schema)';

const rows: Row[] = [];
const add = (row: Row): void => {
  rows.push(row);
  log(`${row.subject} ${row.work}: ${Math.round(row.value).toLocaleString('en-US')} ${row.unit}`);
};

/** One subject's share of a work: its row (without the value), its operation, its budget. */
interface Lane {
  readonly row: Omit<Row, 'value'>;
  readonly op: () => Promise<number>;
  readonly budget: Budget;
  /** Emmett's lanes run once. */
  readonly once?: boolean;
  readonly note?: () => string;
}

/** Round-robin over the lanes, ROUNDS times (warm-up in the first round only); keeps each lane's best. */
const interleaved = async (lanes: readonly Lane[]): Promise<void> => {
  const best = lanes.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, lane] of lanes.entries()) {
      if (lane.once === true && round > 0) continue;
      const budget = round === 0 ? lane.budget : { ...lane.budget, warmupOps: 0 };
      const { rate } = await measure(budget, lane.op);
      best[index] = Math.max(best[index]!, rate);
    }
  }
  lanes.forEach((lane, index) => {
    const note = [lane.row.note, lane.note?.()].filter((part) => part !== undefined && part !== '').join('; ');
    add({ ...lane.row, value: best[index]!, note });
  });
};

const checkedRead = (read: (stream: number) => Promise<{ count: number; sum: number }>) => {
  const next = picker();
  return async (): Promise<number> => {
    const stream = next();
    const { count, sum } = await read(stream);
    if (count !== 10 || sum !== expectedFold(stream)) throw new Error(`stream ${stream}: read ${count} events, fold ${sum}`);
    return 1;
  };
};

type Replay = () => { count: number; sum: number } | Promise<{ count: number; sum: number }>;

/** One replay of the 1,000,000 seeded events, checked; events/s. */
const replayOnce = async (subject: string, replay: Replay): Promise<number> => {
  const start = performance.now();
  const { count, sum } = await replay();
  const ms = performance.now() - start;
  if (count !== SEED_EVENTS || sum !== expectedReplaySum()) throw new Error(`${subject} replay: ${count} events, fold ${sum}`);
  return (SEED_EVENTS / ms) * 1000;
};

const emmettConflictNote = 'expected-version check; conflict-free work only (0.38.5 bumps the stream position on a conflict)';

const appends = async (dirs: Dirs, size: 1 | 10): Promise<void> => {
  const floor = openFloor(dirs.floor, `append${size}`);
  const indexedFloor = openIndexedFloor(dirs.floor, `append${size}-indexed`);
  const ours = openOurs(dirs.ours, `append${size}`, 'NORMAL');
  const oursFull = openOurs(dirs.ours, `append${size}-full`, 'FULL');
  const oursSealed = openSealed(dirs.ours, `append${size}-sealed`);
  const emmett = emmettAppender(openEmmett(dirs.emmett, `append${size}`).store);
  const work = `append${size}`;
  const unit = 'events/s';
  await interleaved([
    { row: { subject: FLOOR, work, unit, durability: DURABILITY.NORMAL, note: 'no check, no id' }, op: appendWork(size, floorAppender(floor)), budget: ROUND },
    {
      row: { subject: INDEXED_FLOOR, work, unit, durability: DURABILITY.NORMAL, note: 'the store\'s 3 inline indexes and its 3 audit index entries per event, all inline; no check; not in the summary' },
      op: appendWork(size, indexedFloorAppender(indexedFloor)),
      budget: ROUND,
    },
    { row: { subject: OURS, work, unit, durability: DURABILITY.NORMAL, note: 'expected-revision check' }, op: appendWork(size, oursAppender(ours)), budget: ROUND },
    { row: { subject: OURS_FULL, work, unit, durability: DURABILITY.FULL, note: 'expected-revision check' }, op: appendWork(size, oursAppender(oursFull)), budget: ROUND },
    { row: { subject: OURS_SEALED, work, unit, durability: DURABILITY.NORMAL, note: sealedNote }, op: appendWork(size, oursAppender(oursSealed, undefined, true)), budget: ROUND },
    {
      row: { subject: EMMETT_NAME, work, unit, durability: EMMETT_DURABILITY_NOTE, note: emmettConflictNote },
      op: appendWork(size, emmett),
      budget: EMMETT,
      once: true,
      note: () => (emmett.commitRaces === 0 ? '' : `${emmett.commitRaces} append(s) retried after its SQLITE_BUSY commit race`),
    },
  ]);
  floor.close();
  indexedFloor.close();
  await Promise.all([ours.close(), oursFull.close(), oursSealed.close()]);
};

const inFlight = async (dirs: Dirs): Promise<void> => {
  const store = openOurs(dirs.ours, 'in-flight', 'NORMAL');
  const append = oursAppender(store, IN_FLIGHT);
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) best = Math.max(best, await oursConcurrentAppend1(append, IN_FLIGHT, ROUND.maxMs));
  add({
    subject: `${OURS}, ${IN_FLIGHT} appends in flight`,
    work: 'append1',
    value: best,
    unit: 'events/s',
    durability: DURABILITY.NORMAL,
    note: `group commit: ${IN_FLIGHT} concurrent clients, 1 event per append; not in the ratios`,
  });
  await store.close();
};

const reads = async (dirs: Dirs): Promise<void> => {
  const floor = openFloor(dirs.floor, 'seeded');
  const ours = openOurs(dirs.ours, 'seeded', 'NORMAL');
  const emmett = openEmmett(dirs.emmett, 'seeded');
  for (const [subject, seed] of [
    ['floor', async () => seedFloor(floor)],
    ['ours', () => seedOurs(ours)],
    ['emmett (rows written directly)', async () => seedEmmett(emmett.fileName)],
  ] as const) {
    const start = performance.now();
    await seed();
    log(`${subject}: seeded ${SEED_EVENTS.toLocaleString('en-US')} events in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  const unit = 'reads/s';
  await interleaved([
    { row: { subject: FLOOR, work: 'read10', unit, durability: DURABILITY.NORMAL, note: 'SELECT data by (stream, position) index + JSON.parse' }, op: checkedRead(floorReader(floor)), budget: ROUND },
    { row: { subject: OURS, work: 'read10', unit, durability: DURABILITY.NORMAL, note: 'readStream + fold' }, op: checkedRead((stream) => oursRead(ours, stream)), budget: ROUND },
    { row: { subject: EMMETT_NAME, work: 'read10', unit, durability: EMMETT_DURABILITY_NOTE, note: 'aggregateStream (opens and closes a connection per call)' }, op: checkedRead(emmettReader(emmett.store)), budget: EMMETT, once: true },
  ]);

  let floorBest = 0;
  let oursBest = 0;
  let upcastBest = 0;
  const upcasting = openUpcasting(ours);
  for (let pass = 0; pass < REPLAY_PASSES; pass++) {
    floorBest = Math.max(floorBest, await replayOnce('floor', () => floorReplay(floor)));
    oursBest = Math.max(oursBest, await replayOnce('ours', () => oursReplay(ours, PAGE)));
    upcastBest = Math.max(upcastBest, await replayOnce('ours, upcasting', () => oursReplay(upcasting, PAGE)));
  }
  const emmettRate = await replayOnce('emmett', () => emmettReplay(emmett.fileName, PAGE));
  const durability = DURABILITY.NORMAL;
  add({ subject: FLOOR, work: 'replay', value: floorBest, unit: 'events/s', durability, note: `SELECT data ORDER BY position .iterate() + JSON.parse; best of ${REPLAY_PASSES}` });
  add({ subject: OURS, work: 'replay', value: oursBest, unit: 'events/s', durability, note: `readAll pages of ${PAGE}; best of ${REPLAY_PASSES}` });
  add({ subject: OURS_UPCAST, work: 'replay', value: upcastBest, unit: 'events/s', durability, note: `as ours, through the store layer that upcasts: every event v1 → v2 (a field added); best of ${REPLAY_PASSES}` });
  add({
    subject: EMMETT_NAME,
    work: 'replay',
    value: emmettRate,
    unit: 'events/s',
    durability: EMMETT_DURABILITY_NOTE,
    note: `its store has no read-all: the exported readMessagesBatch its consumers poll, batches of ${PAGE}; 1 pass`,
  });
  floor.close();
  await ours.close();
};

interface Dirs {
  readonly floor: string;
  readonly ours: string;
  readonly emmett: string;
}

const find = (subject: string, work: string): number => {
  const row = rows.find((r) => r.subject === subject && r.work === work);
  if (row === undefined) throw new Error(`no result for ${subject} ${work}`);
  return row.value;
};

const table = (): string => {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const lines = ['| subject | work | result | ours ÷ this | durability | notes |', '|---|---|--:|--:|---|---|'];
  for (const row of rows) {
    let ratio = '';
    if (row.subject === EMMETT_NAME || row.subject === FLOOR || row.subject === INDEXED_FLOOR) ratio = (find(OURS, row.work) / row.value).toFixed(2);
    if (row.subject === EMMETT_NAME && row.work.startsWith('append')) {
      ratio += ` (at FULL: ${(find(OURS_FULL, row.work) / row.value).toFixed(2)})`;
    }
    lines.push(`| ${row.subject} | ${row.work} | ${fmt(row.value)} ${row.unit} | ${ratio} | ${row.durability} | ${row.note ?? ''} |`);
  }
  return lines.join('\n');
};

const main = async (): Promise<void> => {
  const start = performance.now();
  const loadBefore = loadavg()[0]!;
  const dirs: Dirs = { floor: freshDir('floor'), ours: freshDir('ours'), emmett: freshDir('emmett') };
  try {
    await appends(dirs, 1);
    await appends(dirs, 10);
    await inFlight(dirs);
    await reads(dirs);
  } finally {
    for (const dir of Object.values(dirs)) cleanup(dir);
  }
  const r = (a: number, b: number): string => (a / b).toFixed(2);
  const ours = (work: string): number => find(OURS, work);
  const summary =
    `store: append1 vsEmmett=${r(ours('append1'), find(EMMETT_NAME, 'append1'))} vsFloor=${r(ours('append1'), find(FLOOR, 'append1'))}` +
    ` append10 vsEmmett=${r(ours('append10'), find(EMMETT_NAME, 'append10'))} vsFloor=${r(ours('append10'), find(FLOOR, 'append10'))}` +
    ` replay events/s=${Math.round(ours('replay'))} vsFloor=${r(ours('replay'), find(FLOOR, 'replay'))}` +
    ` upcastReplay=${r(find(OURS_UPCAST, 'replay'), ours('replay'))} sealed append1=${r(find(OURS_SEALED, 'append1'), ours('append1'))} append10=${r(find(OURS_SEALED, 'append10'), ours('append10'))}`;
  const seconds = ((performance.now() - start) / 1000).toFixed(0);
  const sqlite = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const context = [
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after;`,
    `better-sqlite3 on SQLite ${sqlite}; Emmett on node-sqlite3 5 (its bundled SQLite).`,
    'Each subject in a fresh temp dir. Sequential appends (each awaited) cycle over 100 streams with their exact expected revision;',
    `ours and the floor: best of ${ROUNDS} alternating 1 s rounds; Emmett: one run of up to ${EMMETT.maxOps} operations.`,
    'Reads run against 1,000,000 seeded events (100,000 streams × 10 events of ~150-byte JSON data), checked.',
    `Ratios use ours at synchronous=NORMAL unless marked. Measured in ${seconds} s (excluding the bench install).`,
  ].join(' ');
  const report = `${table()}\n\n${context}\n`;
  mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
  writeFileSync(join(__dirname, '..', 'results', 'store.md'), `# Event store benchmark\n\n${report}\n${summary}\n`);
  process.stdout.write(`${report}\n${summary}\n`);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
