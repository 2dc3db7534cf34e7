/**
 * `npm run bench:rebuild`: how fast a read model is rebuilt by replaying the store, and how fast
 * the audit query answers, on a store of 1,000,000 events (250,000 shipped orders, 4 events each).
 *
 * - rebuild: the orders read model, blue/green as in production (`ProjectionRunner.rebuild`: a new
 *   copy filled from the `EventStore` port's replay fast path, each order's events of up to 100,000
 *   folded by the projection's batch writer and written once, its readers' indexes made at the
 *   end, then swapped in), timed from the claim to the swap; best of 2, alternating with the floor
 *   so that the ratio calibrates for the machine and its load.
 * - floor: a bare better-sqlite3 rebuild script of the same table on the same file, doing the same
 *   work as our rebuild (fold 100,000 events, then one write per order) with nothing around it: no
 *   port, no copy, no checkpoint, no readers' indexes. Since rebuilds fold, the floor folds too (it
 *   used to apply each event with its own statement, which is now measured once as a reference:
 *   `perEventFloorRebuild`), so that "× the floor" still compares like with like. Both scripts read
 *   pages of 2,000 rows and format a commit's time once for its events, as our rebuild does; the
 *   earlier floor read with one `iterate()` and formatted every event's time, which is slower.
 * - query: `GET /api/events?correlationId=<a random order>` over HTTP (a real server on a local
 *   port, the events router and the admin token check; `fetch`, one request at a time), p50/p99;
 *   the same through the `EventQuery` port directly, for comparison.
 *
 * The table goes to stdout and bench/results/rebuild.md; the last line of stdout is the summary.
 */
import type Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { codedEventStore } from '../../src/event-store/coded-event-store';
import { openDatabase } from '../../src/event-store/sqlite/open-database';
import { EventVersions } from '../../src/event-store/upcasting/event-versions';
import { orderEventUpcasters } from '../../src/modules/orders/application/order-event-upcasters';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { createApp } from '../../src/http/create-app';
import { eventsRouter } from '../../src/http/events.router';
import { OrdersProjection } from '../../src/modules/orders/read-models/orders.projection';
import { ProjectionRunner } from '../../src/shared/read-models/projection-runner';
import { Readiness } from '../../src/shared/readiness';
import { floorRebuild, perEventFloorRebuild } from './floor';
import { seedShippedOrders } from './order-history';

const ORDERS = 250_000;
const EVENTS = ORDERS * 4;
const REBUILDS = 2;
const QUERIES = 2000;
const TOKEN = 'bench-admin-token-0123456789';

const log = (message: string) => process.stderr.write(`[bench:rebuild] ${message}\n`);
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const pick = (ids: readonly string[]) => {
  let a = 42;
  return () => {
    a = (a * 1103515245 + 12345) >>> 0;
    return ids[a % ids.length]!;
  };
};

const timeQueries = async (ids: readonly string[], query: (id: string) => Promise<number>) => {
  const next = pick(ids);
  for (let n = 0; n < 100; n++) await query(next());
  const times: number[] = [];
  for (let n = 0; n < QUERIES; n++) {
    const id = next();
    const start = performance.now();
    const found = await query(id);
    times.push(performance.now() - start);
    if (found !== 4) throw new Error(`order ${id}: ${found} events, not 4`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]! };
};

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
  const load = loadavg()[0]!;
  const started = Date.now();
  try {
    const store = SqliteEventStore.open({ filename: join(dir, 'events.sqlite') });
    log(`seeding ${int(ORDERS)} orders (${int(EVENTS)} events)…`);
    const seedStart = performance.now();
    const ids = await seedShippedOrders(store, ORDERS);
    const seedRate = EVENTS / ((performance.now() - seedStart) / 1000);
    log(`seeded at ${int(seedRate)} events/s`);

    const perEventFloor = perEventFloorRebuild(join(dir, 'events.sqlite'), dir);
    log(`per-event floor: ${int(perEventFloor)} events/s`);
    const readModels: Database.Database = openDatabase({ filename: join(dir, 'read-models.sqlite') });
    const runner = new ProjectionRunner(store, readModels, [new OrdersProjection()], pino({ level: 'silent' }));
    // The same rebuild through the store layer that upcasts (CONTRACT §7): every OrderConfirmed of the seed is v1, upcast to v2.
    const upcasting = codedEventStore(store, new EventVersions(orderEventUpcasters), {});
    const upcastRunner = new ProjectionRunner(upcasting, readModels, [new OrdersProjection()], pino({ level: 'silent' }));
    let bestUpcast = 0;
    const upcastRates: number[] = [];
    let best = 0;
    let bestFloor = 0;
    const rates: number[] = [];
    const floors: number[] = [];
    const loads: number[] = [];
    for (let round = 0; round < REBUILDS; round++) {
      const floor = floorRebuild(join(dir, 'events.sqlite'), dir);
      floors.push(floor);
      bestFloor = Math.max(bestFloor, floor);
      log(`floor ${round + 1}: ${int(floor)} events/s`);
      const start = performance.now();
      const result = await runner.rebuild('orders');
      const seconds = (performance.now() - start) / 1000;
      if (result.outcome !== 'rebuilt' || result.events !== EVENTS) throw new Error(`rebuild: ${JSON.stringify(result)}`);
      const shipped = readModels.prepare("SELECT count(*) AS n FROM orders WHERE status = 'SHIPPED'").get() as { n: number };
      if (shipped.n !== ORDERS) throw new Error(`rebuilt ${shipped.n} shipped orders, not ${ORDERS}`);
      rates.push(EVENTS / seconds);
      loads.push(loadavg()[0]!);
      best = Math.max(best, EVENTS / seconds);
      log(`rebuild ${round + 1}: ${int(EVENTS / seconds)} events/s (${seconds.toFixed(2)} s)`);
      const upcastStart = performance.now();
      const upcast = await upcastRunner.rebuild('orders');
      const upcastSeconds = (performance.now() - upcastStart) / 1000;
      if (upcast.outcome !== 'rebuilt' || upcast.events !== EVENTS) throw new Error(`upcast rebuild: ${JSON.stringify(upcast)}`);
      upcastRates.push(EVENTS / upcastSeconds);
      bestUpcast = Math.max(bestUpcast, EVENTS / upcastSeconds);
      log(`rebuild ${round + 1}, upcasting: ${int(EVENTS / upcastSeconds)} events/s`);
    }

    const app = createApp({ logger: pino({ level: 'silent' }), readiness: new Readiness(), routers: [eventsRouter(TOKEN, store.eventQuery)] });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const overHttp = await timeQueries(ids, async (id) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/events?correlationId=${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await response.json()) as { events: unknown[] }).events.length;
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const direct = await timeQueries(ids, async (id) => (await store.eventQuery.find({ correlationId: id, limit: 100 })).events.length);
    log(`query over HTTP p99 ${overHttp.p99.toFixed(2)} ms; through the port p99 ${direct.p99.toFixed(3)} ms`);

    await runner.stop();
    await upcastRunner.stop();
    await store.close();
    readModels.close();

    const rows = [
      ['seed (group-committed appends, 1 event each, 5,000 in flight)', `${int(seedRate)} events/s`, ''],
      ['rebuild of the orders read model', `${int(best)} events/s`, `best of ${REBUILDS}: ${rates.map(int).join(', ')}; pages of 2,000 events, 100,000 folded per write; ${(best / bestFloor).toFixed(2)} × the floor; target ≥ 200,000`],
      ['rebuild through the upcasting store layer', `${int(bestUpcast)} events/s`, `best of ${REBUILDS}: ${upcastRates.map(int).join(', ')}; every OrderConfirmed (a quarter of the events) upcast v1 → v2; ${(bestUpcast / best).toFixed(2)} × the plain rebuild; target ≥ 0.8`],
      ['floor: bare better-sqlite3 rebuild script, same file', `${int(bestFloor)} events/s`, `best of ${REBUILDS}: ${floors.map(int).join(', ')}; raw rows, JSON.parse, same table, 100,000 events folded, one write per order`],
      ['bare script applying each event (the floor before rebuilds folded)', `${int(perEventFloor)} events/s`, `once; one statement per event, 2,000 per transaction; ours is ${(best / perEventFloor).toFixed(2)} × this`],
      ['GET /api/events?correlationId= over HTTP', `p99 ${overHttp.p99.toFixed(2)} ms`, `p50 ${overHttp.p50.toFixed(2)} ms, max ${overHttp.max.toFixed(2)} ms; ${QUERIES} sequential requests, 4 events each; target < 20 ms`],
      ['EventQuery.find({ correlationId }) in process', `p99 ${direct.p99.toFixed(3)} ms`, `p50 ${direct.p50.toFixed(3)} ms`],
    ];
    const table = [
      '# Rebuild and audit-query benchmark',
      '',
      '| work | result | notes |',
      '|---|--:|---|',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
      '',
      `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, load average ${load.toFixed(1)} before, ${loads.map((value) => value.toFixed(1)).join(' and ')} after each rebuild, ${loadavg()[0]!.toFixed(1)} after; ` +
        `a store of ${int(EVENTS)} events (${int(ORDERS)} orders: OrderPlaced, OrderConfirmed, OrderPaid, OrderShipped), WAL, synchronous=NORMAL. ` +
        `Measured in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n');
    mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(join(__dirname, '..', 'results', 'rebuild.md'), `${table}\n`);
    process.stdout.write(`${table}\n\nrebuild: events/s=${Math.round(best)} upcast=${(bestUpcast / best).toFixed(2)} query p99=${overHttp.p99.toFixed(2)}ms\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
