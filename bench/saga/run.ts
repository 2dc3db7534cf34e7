/**
 * `npm run bench:saga`: the whole saga over HTTP on loopback, against the real server process on the
 * embedded store (a fresh temp DATA_DIR), with admission control on (MAX_SAGA_LAG, default 5000, in
 * the server's env: it answers POST /api/orders with 503 + Retry-After while the process managers lag).
 * One server for the whole invocation; its phases, in this order:
 *
 * - latency: one client places an order (POST /api/orders) and polls GET /api/orders/:id in a tight
 *   loop (the next GET goes out as soon as the previous answer is in, no sleep) until it sees SHIPPED;
 *   POST start → first GET that sees SHIPPED. The polling itself costs the server CPU and adds up to
 *   one GET round trip; the server-side time (OrderPlaced → OrderShipped commit) is shown next to it.
 * - throughput (50 products): 16 closed-loop clients POST orders spread over 50 skus for 60 s.
 * - hot (1 product): then, once the first window's backlog has drained, the same 16 clients POST
 *   orders all for one sku (10,000,000 units, never runs out) for 60 s: every saga contends on one
 *   product. Skipped with --hot-duration=0.
 *
 * Both load windows are measured alike (bench/common/closed-loop.ts):
 * - settled orders/s: the orders whose OrderShipped was committed inside the window, divided by the
 *   window (orders still in flight at its end do not count), read from the orders read model
 *   (`updatedAt` = OrderShipped's store time) once it has caught up with the store's head as of the
 *   window's end;
 * - POST accepted/s (201) and refused/s (503 from admission control) inside the window. A refused
 *   POST is never counted as accepted: its client backs off for the Retry-After (delta-seconds or a
 *   date, between 10 ms and 5 s; 50 ms without one) and tries again with a new order;
 * - POST → settled p50/p99 under load, per accepted order: from its POST start (this generator's
 *   Date.now()) to the store time of the event that settled it (the server's Date.now() at the append,
 *   same host clock, whole ms), as the orders read model's updatedAt shows it after the backlog has
 *   drained (waited for up to 120 s). Every order POSTed in the window counts, including those that
 *   settle after it; an order still unsettled after the wait counts as infinitely late. Exact to
 *   about ±1 ms; no polling, so the measurement adds no load;
 * - orders in flight at the window's end: accepted (including POSTs answered just after the end)
 *   minus settled by the end; the target converts MAX_SAGA_LAG (events) to orders with the events
 *   per order measured in that run (store head growth / accepted orders, once drained; 8 if the
 *   backlog did not drain): in flight < 2 × MAX_SAGA_LAG / events per order;
 * - server CPU per order: the server's user + system CPU (/proc) in the window / orders settled in it.
 * Targets printed: latency p99 < 20 ms; 50 products >= 2,500 settled orders/s at <= 0.4 ms of server
 * CPU and <= 30 KB of disk writes per order; hot >= 0.8 × the
 * 50-product settled rate; hot POST → settled p99 < 1 s; hot in flight at the end within the bound.
 *
 * Run from the repo root: `npm run bench:saga` or `tsx bench/saga/run.ts`. Options (defaults first):
 *   --server=build|dist|tsx   build: compile src/ with the repo's tsc into a temp dir and run that
 *                             (always fresh, never touches dist/); dist: `npm run build`'s dist/main.js;
 *                             tsx: `node --import tsx src/main.ts`
 *   --entry=<main.js>         run another build instead (e.g. an experiment)
 *   --phase=all|latency|throughput|hot   throughput: the 50-product window then the hot one;
 *                             hot: the hot window alone (no ratio)
 *   --warmup=200, --orders=2000 (latency), --clients=16, --duration=60, --skus=50 (throughput),
 *   --hot-duration=60         the hot window in s; 0 skips it
 *   --floor-duration=10       after the windows, the HTTP floor for that many s (0 skips it): express 5
 *                             alone (bench/common/express-floor.cjs) on the server's core, the same clients
 *                             and POST bodies, answering 201 with the body echoed; its CPU per request is
 *                             shown next to ours per order, as a ratio
 *   --max-saga-lag=5000       MAX_SAGA_LAG for the server (events)
 *   --poll-ms=0               0: tight polling; N: a GET every N ms (less load from the poller)
 *   --no-pin                  by default the server runs on CPU 0 and this generator on CPU 1 (taskset)
 *   --cpu-prof=<dir>          write a V8 CPU profile of the server there (on its exit)
 *   --keep                    keep the temp dir (store, read models, server.log)
 *   --store=sqlite|eventstoredb-wire|eventstoredb   sqlite: the embedded store; eventstoredb-wire: the
 *                             EventStoreDB adapter and the real client against the wire-level test double
 *                             of the server (test/eventstoredb-wire/), run in this generator's process (so
 *                             on its CPU): the figure is the adapter's own overhead, not a server's speed;
 *                             eventstoredb: the server EVENTSTORE_CONNECTION_STRING names. Results of the
 *                             other stores go to bench/results/saga-<store>.json.
 * Progress goes to stderr; the tables and, last, the summary lines to stdout:
 * `saga-hot: settled=N/s ratio=R p99=Xms inflight=N refused=N/s` (when the hot window ran), then
 * `saga: p50=X.Xms p99=X.Xms throughput=Norders/s cpu=X.XXms disk=NKB` (always the last line; cpu and disk
 * per order of the 50-product window). The results also go to
 * bench/results/saga.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { describeServer, pinGenerator, positive, serverFlags, serverModeOf, whole } from '../common/cli';
import { ClosedLoop, settleSamples } from '../common/closed-loop';
import { type HttpFloor, measureHttpFloor } from '../common/http-floor';
import { JsonClient } from '../common/http-client';
import { awaitDrain, awaitReadModel, countByStatus, createProduct, lagOf, listOrders, orderBody, placeAndAwaitShipped } from '../common/orders-api';
import { conditionsLine, writeResults } from '../common/results';
import { type RunningServer, log, setLogName, startServer } from '../common/server-process';
import { int, mean, ms1, ms2, percentile, table } from '../common/stats';
import { WireServer } from '../../test/eventstoredb-wire/wire-server';

setLogName('saga');

const { values: flags } = parseArgs({
  options: {
    ...serverFlags,
    'poll-ms': { type: 'string', default: '0' },
    clients: { type: 'string', default: '16' },
    duration: { type: 'string', default: '60' },
    'hot-duration': { type: 'string', default: '60' },
    'floor-duration': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '200' },
    orders: { type: 'string', default: '2000' },
    skus: { type: 'string', default: '50' },
    phase: { type: 'string', default: 'all' },
    'cpu-prof': { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
  },
});
if (!['sqlite', 'eventstoredb-wire', 'eventstoredb'].includes(flags.store)) throw new Error('--store must be sqlite, eventstoredb-wire or eventstoredb');
const STORE = flags.store as 'sqlite' | 'eventstoredb-wire' | 'eventstoredb';

const SERVER = serverModeOf(flags.server, flags.entry);
const POLL_MS = whole('poll-ms', flags['poll-ms']);
if (!['all', 'latency', 'throughput', 'hot'].includes(flags.phase)) throw new Error('--phase must be all, latency, throughput or hot');
const CLIENTS = positive('clients', flags.clients);
const DURATION_S = positive('duration', flags.duration);
const HOT_DURATION_S = whole('hot-duration', flags['hot-duration']);
const WARMUP = whole('warmup', flags.warmup);
const ORDERS = positive('orders', flags.orders);
const SKUS = positive('skus', flags.skus);
const MAX_SAGA_LAG = positive('max-saga-lag', flags['max-saga-lag']);
const RUN_LATENCY = flags.phase === 'all' || flags.phase === 'latency';
const RUN_THROUGHPUT = flags.phase === 'all' || flags.phase === 'throughput';
const RUN_HOT = HOT_DURATION_S > 0 && flags.phase !== 'latency';
const FLOOR_DURATION_S = whole('floor-duration', flags['floor-duration']);
const STOCK = 1_000_000;
const HOT_SKU = 'SAGA-HOT';
const HOT_STOCK = 10_000_000;
/** Used to convert MAX_SAGA_LAG to orders when a run's backlog did not drain (then it cannot be measured). */
const ASSUMED_EVENTS_PER_ORDER = 8;

const skuOf = (index: number) => `SAGA-${String(index % SKUS).padStart(3, '0')}`;

// ---------------------------------------------------------------- latency, one client

const latencyPhase = async (server: RunningServer) => {
  const client = new JsonClient(server.port, 1);
  try {
    for (let i = 0; i < WARMUP; i++) await placeAndAwaitShipped(client, orderBody('saga-bench-warmup', skuOf(i)), POLL_MS);
    log(`latency: ${WARMUP} warm-up orders done; measuring ${ORDERS}`);
    const samples = [];
    const cpuBefore = server.cpuSeconds();
    const writtenBefore = server.bytesWritten();
    const started = performance.now();
    for (let i = 0; i < ORDERS; i++) samples.push(await placeAndAwaitShipped(client, orderBody('saga-bench-latency', skuOf(i)), POLL_MS));
    const seconds = (performance.now() - started) / 1000;
    const cpuMsPerOrder = ((server.cpuSeconds() - cpuBefore) * 1000) / ORDERS;
    const kbWrittenPerOrder = (server.bytesWritten() - writtenBefore) / 1024 / ORDERS;
    const ms = samples.map((sample) => sample.ms);
    const serverMs = samples.map((sample) => sample.serverMs);
    const result = {
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      mean: mean(ms),
      max: Math.max(...ms),
      polls: mean(samples.map((sample) => sample.polls)),
      serverP50: percentile(serverMs, 50),
      serverP99: percentile(serverMs, 99),
      rate: ORDERS / seconds,
      cpuMsPerOrder,
      kbWrittenPerOrder,
    };
    log(`latency: p50 ${ms1(result.p50)} ms, p99 ${ms1(result.p99)} ms, ${result.polls.toFixed(1)} GETs per order`);
    return result;
  } finally {
    client.close();
  }
};

// ---------------------------------------------------------------- a load window, 16 clients

interface WindowSpec {
  readonly name: string;
  readonly customerId: string;
  readonly skus: number;
  readonly sku: (n: number) => string;
  readonly durationS: number;
}

const loadWindow = async (server: RunningServer, admin: JsonClient, spec: WindowSpec) => {
  const { name, customerId, durationS } = spec;
  const client = new JsonClient(server.port, CLIENTS);
  const headBefore = (await lagOf(admin)).head;
  const cpuBefore = server.cpuSeconds();
  const writtenBefore = server.bytesWritten();
  const ownCpuBefore = process.cpuUsage();
  const windowStart = Date.now();
  const windowEnd = windowStart + durationS * 1000;
  const loop = new ClosedLoop({ client, clients: CLIENTS, until: windowEnd, body: (n) => orderBody(customerId, spec.sku(n)) });
  // At the window's end: the counters and the lag, sampled while the clients' last POSTs are still in flight.
  const atEnd = (async () => {
    await new Promise((done) => setTimeout(done, windowEnd - Date.now()));
    const serverCpu = server.cpuSeconds() - cpuBefore;
    const written = server.bytesWritten() - writtenBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const accepted = loop.accepted;
    const lag = await lagOf(admin);
    return { serverCpu, written, ownCpu: (ownCpu.user + ownCpu.system) / 1e6, accepted, lag };
  })();
  const progress = setInterval(() => log(`${name}: ${loop.accepted} orders placed, ${loop.refused} refused so far`), 5000);
  try {
    await loop.done;
  } finally {
    clearInterval(progress);
    client.close();
  }
  const end = await atEnd;
  log(`${name}: window over; ${loop.accepted} orders placed, ${loop.refused} refused, lag at the end ${end.lag.subscriptionsMax} (${end.lag.worst})`);

  // Every order shipped by the window's end is in the store by then: wait for the read model to reach that head.
  await awaitReadModel(admin, end.lag.head, 300_000);
  // Then let the rest settle (bounded), for how long the backlog took, how the orders ended and their POST → settled.
  const drained = await awaitDrain(admin, 120_000);
  const drainedMs = drained === undefined ? undefined : Date.now() - windowEnd;
  const orders = await listOrders(admin, customerId);
  const shippedInWindow = orders.filter((order) => order.status === 'SHIPPED' && order.updatedAtMs <= windowEnd);
  const sagaMs = shippedInWindow.map((order) => order.updatedAtMs - order.createdAtMs);
  const settle = settleSamples(loop.placed, orders);
  const settleMs = settle.map((sample) => sample.ms);
  const postMs = loop.placed.map((order) => order.postMs);
  const eventsPerOrder = drained === undefined || loop.accepted === 0 ? undefined : Number(drained.head - headBefore) / loop.accepted;
  const inFlightLimit = (2 * MAX_SAGA_LAG) / (eventsPerOrder ?? ASSUMED_EVENTS_PER_ORDER);
  const serverCpuMs = end.serverCpu * 1000;
  return {
    name,
    skus: spec.skus,
    durationS,
    accepted: loop.accepted,
    acceptedInWindow: end.accepted,
    acceptedRate: end.accepted / durationS,
    refusedInWindow: loop.refusedAt.filter((at) => at <= windowEnd).length,
    refusedRate: loop.refusedAt.filter((at) => at <= windowEnd).length / durationS,
    refused: loop.refused,
    failed: loop.failed,
    failures: loop.failures,
    errors: loop.errors,
    postP50: percentile(postMs, 50),
    postP99: percentile(postMs, 99),
    shipped: shippedInWindow.length,
    settledRate: shippedInWindow.length / durationS,
    settleP50: percentile(settleMs, 50),
    settleP99: percentile(settleMs, 99),
    unsettled: settle.filter((sample) => sample.settledAtMs === undefined).length,
    inFlightAtEnd: loop.accepted - shippedInWindow.length,
    eventsPerOrder,
    inFlightLimit,
    lagAtEnd: end.lag,
    drainedMs,
    byStatus: countByStatus(orders),
    listed: orders.length,
    sagaP50: percentile(sagaMs, 50),
    sagaP99: percentile(sagaMs, 99),
    serverCpuShare: end.serverCpu / durationS,
    cpuMsPerOrder: serverCpuMs / shippedInWindow.length,
    ordersPerCpuSecond: shippedInWindow.length / end.serverCpu,
    kbWrittenPerOrder: end.written / 1024 / Math.max(1, end.accepted),
    ownCpuShare: end.ownCpu / durationS,
  };
};
type WindowResult = Awaited<ReturnType<typeof loadWindow>>;

// ---------------------------------------------------------------- main

const msOrUnsettled = (ms: number): string => (Number.isFinite(ms) ? `${ms1(ms)} ms` : 'unsettled');
const passed = (ok: boolean): string => (ok ? 'met' : 'MISSED');

const windowRows = (windows: readonly WindowResult[], pin: boolean): string[][] => {
  const row = (measure: string, cell: (w: WindowResult) => string) => [measure, ...windows.map(cell)];
  return [
    row('settled (SHIPPED) in the window', (w) => `${int(w.settledRate)} orders/s (${int(w.shipped)} orders)`),
    row('POST accepted (201) in the window', (w) => `${int(w.acceptedRate)}/s (${int(w.acceptedInWindow)}; ${int(w.accepted)} with the last in flight)`),
    row('POST refused (503, admission control) in the window', (w) => `${int(w.refusedRate)}/s (${int(w.refusedInWindow)})`),
    row('POST other non-201 / network errors', (w) => `${int(w.failed)}${w.failures.size === 0 ? '' : ` (${[...w.failures].map(([status, n]) => `${status}×${n}`).join(', ')})`} / ${int(w.errors)}`),
    row('POST /api/orders latency (accepted)', (w) => `p50 ${ms1(w.postP50)} ms, p99 ${ms1(w.postP99)} ms`),
    row('POST → settled under load (every accepted order)', (w) => `p50 ${msOrUnsettled(w.settleP50)}, p99 ${msOrUnsettled(w.settleP99)}${w.unsettled === 0 ? '' : `; ${int(w.unsettled)} unsettled after the wait`}`),
    row('saga, server side (shipped in the window)', (w) => `p50 ${ms1(w.sagaP50)} ms, p99 ${ms1(w.sagaP99)} ms`),
    row('orders in flight at the window\'s end', (w) => `${int(w.inFlightAtEnd)} (bound ${int(w.inFlightLimit)})`),
    row('events per order (store head growth / accepted)', (w) => (w.eventsPerOrder === undefined ? `not drained: ${ASSUMED_EVENTS_PER_ORDER} assumed` : w.eventsPerOrder.toFixed(2))),
    row('subscription lag at the window\'s end', (w) => `max ${int(w.lagAtEnd.subscriptionsMax)} events (${w.lagAtEnd.worst}), sum ${int(w.lagAtEnd.subscriptionsSum)}; read-model lag max ${int(w.lagAtEnd.projectionsMax)}`),
    row('backlog drained', (w) => (w.drainedMs === undefined ? 'not within 120 s' : `${(w.drainedMs / 1000).toFixed(1)} s after the window`)),
    row('final statuses', (w) => `${[...w.byStatus].map(([status, count]) => `${status} ${int(count)}`).join(', ')} (${int(w.listed)} listed)`),
    row('server CPU', (w) => `${(w.serverCpuShare * 100).toFixed(0)}% of a core; ${ms1(w.cpuMsPerOrder)} ms per order settled (${int(w.ordersPerCpuSecond)} per CPU-second)`),
    row('generator CPU; disk writes', (w) => `${(w.ownCpuShare * 100).toFixed(0)}% of a core${pin ? ' (pinned to CPU 1, server to CPU 0)' : ' (not pinned)'}; ${int(w.kbWrittenPerOrder)} KB per order placed`),
  ];
};

const main = async () => {
  const startedAt = Date.now();
  const load = loadavg()[0]!;
  const pin = pinGenerator(flags['no-pin']);
  const nodeFlags: string[] = [];
  if (flags['cpu-prof'] !== undefined) {
    const dir = resolve(flags['cpu-prof']);
    mkdirSync(dir, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const adminToken = randomBytes(24).toString('base64url');
  const wire = STORE === 'eventstoredb-wire' ? await WireServer.start() : undefined;
  const storeEnv = (): Record<string, string> => {
    if (wire !== undefined) return { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: wire.connectionString };
    if (STORE === 'sqlite') return {};
    const connection = process.env.EVENTSTORE_CONNECTION_STRING;
    if (connection === undefined || connection === '') throw new Error('--store=eventstoredb needs EVENTSTORE_CONNECTION_STRING');
    return { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connection };
  };
  const env = { MAX_SAGA_LAG: String(MAX_SAGA_LAG), ...storeEnv() };
  const server = await startServer({ mode: SERVER, cpu: pin ? 0 : undefined, adminToken, nodeFlags, env });
  if (STORE !== 'sqlite') log(`store: ${STORE}${wire === undefined ? '' : ` at ${wire.connectionString} (in this process)`}`);
  log(`server ${server.entry} pid ${server.pid} on 127.0.0.1:${server.port}${pin ? ' (server on CPU 0, this generator on CPU 1)' : ''}; MAX_SAGA_LAG=${MAX_SAGA_LAG}`);
  const admin = new JsonClient(server.port, 2, { authorization: `Bearer ${adminToken}` });
  let latency: Awaited<ReturnType<typeof latencyPhase>> | undefined;
  let throughput: WindowResult | undefined;
  let hot: WindowResult | undefined;
  let exitCode: number | null;
  try {
    for (let i = 0; i < SKUS; i++) await createProduct(admin, skuOf(i), STOCK);
    if (RUN_HOT) await createProduct(admin, HOT_SKU, HOT_STOCK);
    log(`${SKUS} products with ${int(STOCK)} units each${RUN_HOT ? `, and ${HOT_SKU} with ${int(HOT_STOCK)}` : ''}`);
    if (RUN_LATENCY) latency = await latencyPhase(server);
    if (RUN_THROUGHPUT) {
      throughput = await loadWindow(server, admin, { name: 'throughput', customerId: 'saga-bench-throughput', skus: SKUS, sku: skuOf, durationS: DURATION_S });
    }
    if (RUN_HOT) {
      hot = await loadWindow(server, admin, { name: 'hot', customerId: 'saga-bench-hot', skus: 1, sku: () => HOT_SKU, durationS: HOT_DURATION_S });
    }
  } finally {
    admin.close();
    exitCode = await server.stop();
    await wire?.stop();
    if (flags.keep) log(`kept ${server.workDir} (data, server.log)`);
    else server.cleanup();
  }
  if (exitCode !== 0) {
    process.stderr.write(`[saga] the server exited with ${exitCode} on SIGTERM (expected 0)\n`);
    process.exitCode = 1;
  } else {
    log(`server stopped on SIGTERM with exit code 0${flags.keep ? '' : '; temp dir removed'}`);
  }
  if (flags['cpu-prof'] !== undefined) log(`server CPU profile in ${resolve(flags['cpu-prof'])}`);
  let floor: HttpFloor | undefined;
  if (throughput !== undefined && FLOOR_DURATION_S > 0) {
    log(`HTTP floor: express alone, ${CLIENTS} clients, ${FLOOR_DURATION_S} s`);
    floor = await measureHttpFloor({ cpu: pin ? 0 : undefined, clients: CLIENTS, durationS: FLOOR_DURATION_S, body: (n) => orderBody('saga-bench-floor', skuOf(n)) });
  }

  const ratio = hot !== undefined && throughput !== undefined ? hot.settledRate / throughput.settledRate : undefined;
  const targets = {
    latencyP99Under20ms: latency === undefined ? undefined : latency.p99 < 20,
    throughputAtLeast2500: throughput === undefined ? undefined : throughput.settledRate >= 2500,
    cpuPerOrderAtMost04ms: throughput === undefined ? undefined : throughput.cpuMsPerOrder <= 0.4,
    diskPerOrderAtMost30KB: throughput === undefined ? undefined : throughput.kbWrittenPerOrder <= 30,
    hotAtLeast08xThroughput: ratio === undefined ? undefined : ratio >= 0.8,
    hotSettleP99Under1s: hot === undefined ? undefined : hot.settleP99 < 1000,
    hotInFlightWithinBound: hot === undefined ? undefined : hot.inFlightAtEnd < hot.inFlightLimit,
  };

  let out =
    STORE === 'sqlite'
      ? '# Saga benchmark (HTTP on loopback, embedded store)\n\n'
      : `# Saga benchmark (HTTP on loopback, EventStoreDB adapter on ${STORE === 'eventstoredb-wire' ? 'the wire test double: the adapter\'s own overhead, not a server\'s speed' : 'a server'})\n\n`;
  if (latency !== undefined) {
    out += `${table(
      ['measure', 'result', 'notes'],
      [
        ['latency, 1 client: POST → first GET seeing SHIPPED', `p50 ${ms1(latency.p50)} ms, p99 ${ms1(latency.p99)} ms, mean ${ms1(latency.mean)} ms, max ${ms1(latency.max)} ms`, `${ORDERS} orders after ${WARMUP} warm-up; ${POLL_MS === 0 ? 'tight polling' : `a GET every ${POLL_MS} ms`}, ${latency.polls.toFixed(1)} GETs per order; ${latency.rate.toFixed(0)} orders/s`],
        [
          'same, server side: OrderPlaced → OrderShipped',
          `p50 ${ms1(latency.serverP50)} ms, p99 ${ms1(latency.serverP99)} ms`,
          `store timestamps, 1 ms resolution; per order the server used ${ms1(latency.cpuMsPerOrder)} ms of CPU and wrote ${int(latency.kbWrittenPerOrder)} KB to disk, polling included`,
        ],
      ],
    )}\n\n`;
  }
  const windows = [throughput, hot].filter((w): w is WindowResult => w !== undefined);
  if (windows.length > 0) {
    const header = ['measure', ...windows.map((w) => `${w.skus === 1 ? '1 hot product' : `${w.skus} products`}, ${CLIENTS} clients, ${w.durationS} s`)];
    out += `${table(header, windowRows(windows, pin))}\n\n`;
  }
  const targetRows: string[][] = [];
  if (latency !== undefined) targetRows.push(['latency p99 (1 client) < 20 ms', `${ms1(latency.p99)} ms`, passed(targets.latencyP99Under20ms!)]);
  if (throughput !== undefined) {
    targetRows.push([`${SKUS} products: >= 2,500 settled orders/s`, `${int(throughput.settledRate)}/s`, passed(targets.throughputAtLeast2500!)]);
    targetRows.push([`${SKUS} products: server CPU per order <= 0.4 ms`, `${ms2(throughput.cpuMsPerOrder)} ms`, passed(targets.cpuPerOrderAtMost04ms!)]);
    targetRows.push([`${SKUS} products: disk writes per order <= 30 KB`, `${int(throughput.kbWrittenPerOrder)} KB`, passed(targets.diskPerOrderAtMost30KB!)]);
  }
  if (hot !== undefined) {
    if (ratio !== undefined) targetRows.push(['hot settled >= 0.8 × the 50-product run', `${ratio.toFixed(2)} × (${int(hot.settledRate)}/s vs ${int(throughput!.settledRate)}/s)`, passed(targets.hotAtLeast08xThroughput!)]);
    targetRows.push(['hot POST → settled p99 < 1 s', msOrUnsettled(hot.settleP99), passed(targets.hotSettleP99Under1s!)]);
    targetRows.push([
      'hot orders in flight at the end < 2 × MAX_SAGA_LAG / events per order',
      `${int(hot.inFlightAtEnd)} < 2 × ${int(MAX_SAGA_LAG)} / ${(hot.eventsPerOrder ?? ASSUMED_EVENTS_PER_ORDER).toFixed(2)} = ${int(hot.inFlightLimit)} orders`,
      passed(targets.hotInFlightWithinBound!),
    ]);
  }
  if (targetRows.length > 0) out += `${table(['target', 'measured', ''], targetRows)}\n\n`;
  if (floor !== undefined && throughput !== undefined) {
    out += `${table(
      ['HTTP floor: express 5 alone, the same POSTs (body parsed, 201 with it echoed), clients and core', 'result', 'ours'],
      [[`${int(floor.requestsPerSecond)} requests/s at ${(floor.cpuShare * 100).toFixed(0)}% of a core`, `${ms2(floor.cpuMsPerRequest)} ms of CPU per request`, `${ms2(throughput.cpuMsPerOrder)} ms per order settled: ${(throughput.cpuMsPerOrder / floor.cpuMsPerRequest).toFixed(1)} × the floor`]],
    )}\n\n`;
  }
  const storeText = STORE === 'sqlite' ? undefined : `EVENT_STORE=eventstoredb (${STORE}), read models`;
  out += conditionsLine(load, describeServer(SERVER), `MAX_SAGA_LAG=${MAX_SAGA_LAG}, ${SKUS} skus${RUN_HOT ? ` and ${HOT_SKU}` : ''}, 1 item per order`, startedAt, 0, storeText);
  process.stdout.write(out);

  const path = writeResults(STORE === 'sqlite' ? 'saga' : `saga-${STORE}`, {
    flags,
    maxSagaLag: MAX_SAGA_LAG,
    pinned: pin,
    loadAverageBefore: load,
    latency,
    throughput,
    hot,
    hotToThroughputRatio: ratio,
    httpFloor: floor,
    targets,
  });
  log(`results in ${path}`);

  if (hot !== undefined) {
    const p99 = Number.isFinite(hot.settleP99) ? String(Math.round(hot.settleP99)) : 'unsettled';
    process.stdout.write(
      `saga-hot: settled=${Math.round(hot.settledRate)}/s ratio=${ratio === undefined ? 'n/a' : ratio.toFixed(2)} p99=${p99}ms inflight=${hot.inFlightAtEnd} refused=${Math.round(hot.refusedRate)}/s\n`,
    );
  }
  const p50 = latency === undefined ? 'n/a' : ms1(latency.p50);
  const p99 = latency === undefined ? 'n/a' : ms1(latency.p99);
  const rate = throughput === undefined ? 'n/a' : String(Math.round(throughput.settledRate));
  const cpu = throughput === undefined ? 'n/a' : ms2(throughput.cpuMsPerOrder);
  const disk = throughput === undefined ? 'n/a' : String(Math.round(throughput.kbWrittenPerOrder));
  process.stdout.write(`saga: p50=${p50}ms p99=${p99}ms throughput=${rate}orders/s cpu=${cpu}ms disk=${disk}KB\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`[saga] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
