/**
 * `npm run bench:soak`: does the server hold its pace and its memory over a long run, and does it come
 * back fast on a big store? The real server process on the embedded store (a fresh temp DATA_DIR),
 * over HTTP on loopback (server pinned to CPU 0, this generator to CPU 1), admission control on
 * (MAX_SAGA_LAG, default 5000, in the server's env).
 *
 * 1. Load: 16 closed-loop clients POST /api/orders until 300,000 orders are accepted, spread over 5
 *    products with 10,000,000 units each (none runs out). A 503 from admission control is a refusal,
 *    never an accepted order: that client backs off for the Retry-After (10 ms to 5 s; 50 ms without
 *    one) and tries again with a new order (bench/common/closed-loop.ts). Then the backlog drains.
 * 2. Per tenth of the run: the load phase (first POST sent → last POST answered) cut into ten equal
 *    spans of time; the drain after it is a row of its own, so that settling a backlog with no POSTs
 *    coming in cannot flatter the last tenth. For each: settled orders/s (orders whose settling
 *    event's store time falls in the span / the span); POST → settled p99 of the orders POSTed in the
 *    span (per order: this generator's Date.now() at its POST start to its settling event's store
 *    time, the server's Date.now() at the append, as the orders read model's updatedAt shows it once
 *    drained; same host clock, whole ms, so about ±1 ms; no polling; an order never settled counts
 *    as infinitely late); the accepted POSTs' own latency p99 and the refusals per second among POSTs
 *    started in the span; the server's RSS (/proc/<pid>/status VmRSS, sampled every 250 ms: the last
 *    sample at or before the span's end) and its CPU per order settled (/proc/<pid>/stat, same
 *    samples). Targets: the last tenth's rate >= 0.9 × the first's; RSS at the end of the last tenth
 *    (the last POST answered) <= 1.25 × RSS at the end of the first.
 * 3. Restart: SIGTERM, wait for the exit (its code and how long it took are shown), then the same
 *    build on the same DATA_DIR (about 8 events per order: 2,400,000 events after 300,000 orders).
 *    Ready: from spawn to the first GET /ready answering 200 (polled every 10 ms on fresh connections),
 *    target <= 3 s. First order: one order for the first (hot) product, POST → the first GET
 *    /api/orders/:id that sees SHIPPED, polled tightly (the next GET when the previous answer is in);
 *    target < 50 ms.
 *
 * Run from the repo root: `npm run bench:soak` or `tsx bench/soak/run.ts`. Options (defaults first):
 *   --orders=300000           accepted orders to place
 *   --clients=16, --skus=5
 *   --max-saga-lag=5000       MAX_SAGA_LAG for the server (events)
 *   --server=build|dist|tsx, --entry=<main.js>   which server (as in bench/saga/run.ts)
 *   --no-pin                  do not pin the server to CPU 0 and this generator to CPU 1
 *   --keep                    keep the temp dir (store, read models, server.log)
 * Progress goes to stderr; the tables and, last, the summary line to stdout:
 * `soak: first=N/s last=N/s rss=A→B MiB ready=Xs firstOrder=Yms`. The results also go to
 * bench/results/soak.json.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { describeServer, pinGenerator, positive, serverFlags, serverModeOf } from '../common/cli';
import { ClosedLoop, type SettleSample, settleSamples } from '../common/closed-loop';
import { JsonClient } from '../common/http-client';
import { awaitDrain, countByStatus, createProduct, lagOf, listOrders, orderBody, placeAndAwaitShipped } from '../common/orders-api';
import { conditionsLine, writeResults } from '../common/results';
import { type RunningServer, log, setLogName, startServer } from '../common/server-process';
import { int, ms1, percentile, table } from '../common/stats';

setLogName('soak');

const { values: flags } = parseArgs({
  options: {
    ...serverFlags,
    orders: { type: 'string', default: '300000' },
    clients: { type: 'string', default: '16' },
    skus: { type: 'string', default: '5' },
  },
});

const SERVER = serverModeOf(flags.server, flags.entry);
const ORDERS = positive('orders', flags.orders);
const CLIENTS = positive('clients', flags.clients);
const SKUS = positive('skus', flags.skus);
const MAX_SAGA_LAG = positive('max-saga-lag', flags['max-saga-lag']);
const STOCK = 10_000_000;
const TENTHS = 10;
const SAMPLE_MS = 250;
const DRAIN_TIMEOUT_MS = 600_000;
const CUSTOMER = 'soak-bench';
const MIB = 1024 * 1024;

const msOr = (ms: number, otherwise: string): string => (Number.isFinite(ms) ? `${ms1(ms)} ms` : otherwise);
const skuOf = (index: number) => `SOAK-${String(index % SKUS).padStart(2, '0')}`;

interface Sample {
  /** Date.now() */
  readonly at: number;
  readonly rssBytes: number;
  readonly cpuSeconds: number;
}

/** The server's RSS and CPU every SAMPLE_MS, until stopped. */
const sampleServer = (server: RunningServer) => {
  const samples: Sample[] = [];
  const take = () => samples.push({ at: Date.now(), rssBytes: server.rssBytes(), cpuSeconds: server.cpuSeconds() });
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
};

/** The last sample at or before `at` (the first one if none is). */
const sampleAt = (samples: readonly Sample[], at: number): Sample => {
  let found = samples[0]!;
  for (const sample of samples) {
    if (sample.at > at) break;
    found = sample;
  }
  return found;
};

interface Span {
  readonly fromMs: number;
  readonly toMs: number;
  /** Orders whose settling event's store time falls in the span. */
  readonly settled: number;
  readonly settledRate: number;
  /** POST → settled p99 of the orders POSTed in the span. */
  readonly settleP99: number;
  /** Latency p99 of the accepted POSTs started in the span. */
  readonly postP99: number;
  readonly refusedRate: number;
  /** At the span's end. */
  readonly rssMiB: number;
  readonly cpuMsPerOrder: number;
}

/** What happened in [fromMs, toMs) (toMs included for the last span of a phase). */
const spanOf = (fromMs: number, toMs: number, last: boolean, orders: readonly SettleSample[], loop: ClosedLoop, samples: readonly Sample[]): Span => {
  const inSpan = (at: number | undefined) => at !== undefined && at >= fromMs && (at < toMs || (last && at === toMs));
  const seconds = Math.max(0.001, (toMs - fromMs) / 1000);
  const settled = orders.filter((order) => inSpan(order.settledAtMs)).length;
  const toSample = sampleAt(samples, toMs);
  return {
    fromMs,
    toMs,
    settled,
    settledRate: settled / seconds,
    settleP99: percentile(
      orders.filter((order) => inSpan(order.postStartMs)).map((order) => order.ms),
      99,
    ),
    postP99: percentile(
      loop.placed.filter((order) => inSpan(order.postStartMs)).map((order) => order.postMs),
      99,
    ),
    refusedRate: loop.refusedAt.filter(inSpan).length / seconds,
    rssMiB: toSample.rssBytes / MIB,
    cpuMsPerOrder: ((toSample.cpuSeconds - sampleAt(samples, fromMs).cpuSeconds) * 1000) / settled,
  };
};

const main = async () => {
  const startedAt = Date.now();
  const load = loadavg()[0]!;
  const pin = pinGenerator(flags['no-pin']);
  const adminToken = randomBytes(24).toString('base64url');
  const env = { MAX_SAGA_LAG: String(MAX_SAGA_LAG) };
  const server = await startServer({ mode: SERVER, cpu: pin ? 0 : undefined, adminToken, nodeFlags: [], env });
  log(`server ${server.entry} pid ${server.pid} on 127.0.0.1:${server.port}${pin ? ' (server on CPU 0, this generator on CPU 1)' : ''}; MAX_SAGA_LAG=${MAX_SAGA_LAG}`);
  let restarted: RunningServer | undefined;
  try {
    // ---------------------------------------------------------------- load
    const admin = new JsonClient(server.port, 2, { authorization: `Bearer ${adminToken}` });
    for (let i = 0; i < SKUS; i++) await createProduct(admin, skuOf(i), STOCK);
    log(`${SKUS} products with ${int(STOCK)} units each; placing ${int(ORDERS)} orders with ${CLIENTS} clients`);
    const client = new JsonClient(server.port, CLIENTS);
    const sampler = sampleServer(server);
    const firstPostMs = Date.now();
    const loop = new ClosedLoop({ client, clients: CLIENTS, orders: ORDERS, body: (n) => orderBody(CUSTOMER, skuOf(n)) });
    let lastAccepted = 0;
    const progress = setInterval(() => {
      const rate = (loop.accepted - lastAccepted) / 5;
      lastAccepted = loop.accepted;
      log(`${int(loop.accepted)} of ${int(ORDERS)} accepted (${int(rate)}/s), ${int(loop.refused)} refused; server RSS ${int(server.rssBytes() / MIB)} MiB`);
    }, 5000);
    try {
      await loop.done;
    } finally {
      clearInterval(progress);
      client.close();
    }
    const loadEndMs = Date.now();
    const loadSeconds = (loadEndMs - firstPostMs) / 1000;
    log(`all ${int(loop.accepted)} accepted in ${loadSeconds.toFixed(0)} s; waiting for the backlog to drain`);
    const drained = await awaitDrain(admin, DRAIN_TIMEOUT_MS);
    const drainedAt = Date.now();
    sampler.stop();
    if (drained === undefined) log(`the backlog did not drain in ${DRAIN_TIMEOUT_MS / 1000} s; reporting what settled`);
    const events = (drained ?? (await lagOf(admin))).head;
    const rows = await listOrders(admin, CUSTOMER);
    admin.close();
    const samples = settleSamples(loop.placed, rows);
    const settled = samples.filter((sample) => sample.settledAtMs !== undefined);
    const tenthMs = (loadEndMs - firstPostMs) / TENTHS;
    const tenths = Array.from({ length: TENTHS }, (_, k) =>
      spanOf(firstPostMs + k * tenthMs, k === TENTHS - 1 ? loadEndMs : firstPostMs + (k + 1) * tenthMs, k === TENTHS - 1, samples, loop, sampler.samples),
    );
    const lastSettledMs = settled.reduce((latest, sample) => Math.max(latest, sample.settledAtMs!), loadEndMs);
    const drain = spanOf(loadEndMs + 1, lastSettledMs, true, samples, loop, sampler.samples);
    const first = tenths[0]!;
    const last = tenths[TENTHS - 1]!;
    log(`${int(settled.length)} settled; ${int(Number(events))} events in the store`);

    // ---------------------------------------------------------------- restart
    const stopStarted = performance.now();
    const exitCode = await server.stop();
    const stopMs = performance.now() - stopStarted;
    log(`server stopped on SIGTERM in ${ms1(stopMs)} ms with exit code ${exitCode}; restarting on the same store`);
    if (exitCode !== 0) process.exitCode = 1;
    restarted = await server.restart();
    log(`ready in ${ms1(restarted.readyMs)} ms (pid ${restarted.pid}, port ${restarted.port})`);
    const again = new JsonClient(restarted.port, 1);
    const firstOrder = await placeAndAwaitShipped(again, orderBody(`${CUSTOMER}-after-restart`, skuOf(0)), 0);
    again.close();
    log(`first order after the restart: ${ms1(firstOrder.ms)} ms to SHIPPED (${firstOrder.polls} GETs)`);

    // ---------------------------------------------------------------- report
    const targets = {
      lastRateAtLeast09xFirst: last.settledRate >= 0.9 * first.settledRate,
      rssEndAtMost125xFirstTenth: last.rssMiB <= 1.25 * first.rssMiB,
      readyWithin3s: restarted.readyMs <= 3000,
      firstOrderUnder50ms: firstOrder.ms < 50,
    };
    const passed = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const settleMs = samples.map((sample) => sample.ms);
    let out = '# Soak benchmark (HTTP on loopback, embedded store)\n\n';
    out += `${table(
      ['tenth', 'span', 'settled', 'settled orders/s', 'POST → settled p99', 'POST p99', 'refused (503)/s', 'server RSS at its end', 'server CPU per order'],
      [...tenths, drain].map((span, k) => [
        k < TENTHS ? String(k + 1) : 'drain',
        `${((span.fromMs - firstPostMs) / 1000).toFixed(1)}–${((span.toMs - firstPostMs) / 1000).toFixed(1)} s`,
        int(span.settled),
        int(span.settledRate),
        msOr(span.settleP99, k < TENTHS ? 'unsettled' : 'no POST'),
        msOr(span.postP99, 'no POST'),
        int(span.refusedRate),
        `${int(span.rssMiB)} MiB`,
        `${ms1(span.cpuMsPerOrder)} ms`,
      ]),
    )}\n\n`;
    const byStatus = [...countByStatus(rows)].map(([status, count]) => `${status} ${int(count)}`).join(', ');
    out += `${table(
      ['measure', 'result', 'notes'],
      [
        ['whole run', `${int(loop.accepted)} accepted in ${loadSeconds.toFixed(0)} s (${int(loop.accepted / loadSeconds)}/s)`, `${int(loop.refused)} refused (503), ${int(loop.failed)} other non-201, ${int(loop.errors)} network errors; final: ${byStatus}`],
        ['POST → settled, whole run', `p50 ${msOr(percentile(settleMs, 50), 'unsettled')}, p99 ${msOr(percentile(settleMs, 99), 'unsettled')}`, `${int(loop.accepted - settled.length)} not settled after the drain`],
        [
          'backlog when the last POST was answered',
          `${int(drain.settled)} orders`,
          `the drain row; ${drained === undefined ? `not drained within ${DRAIN_TIMEOUT_MS / 1000} s` : `all read models and process managers caught up ${((drainedAt - loadEndMs) / 1000).toFixed(1)} s after it`}`,
        ],
        ['store at the restart', `${int(Number(events))} events`, `${(Number(events) / Math.max(1, loop.accepted)).toFixed(2)} per order${events < 2_000_000n ? '; fewer than 2,000,000: a short run' : ''}`],
        ['SIGTERM → exit', `${ms1(stopMs)} ms, exit code ${exitCode}`, ''],
        ['restart: spawn → GET /ready 200', `${ms1(restarted.readyMs)} ms`, 'polled every 10 ms on fresh connections'],
        ['first order after the restart: POST → SHIPPED', `${ms1(firstOrder.ms)} ms`, `${skuOf(0)}; tight polling, ${firstOrder.polls} GETs; server side (OrderPlaced → OrderShipped) ${firstOrder.serverMs} ms`],
      ],
    )}\n\n`;
    out += `${table(
      ['target', 'measured', ''],
      [
        ['last tenth settled >= 0.9 × the first', `${int(last.settledRate)}/s vs ${int(first.settledRate)}/s (${(last.settledRate / first.settledRate).toFixed(2)} ×)`, passed(targets.lastRateAtLeast09xFirst)],
        ['RSS at the last POST <= 1.25 × after the first tenth', `${int(last.rssMiB)} MiB vs ${int(first.rssMiB)} MiB (${(last.rssMiB / first.rssMiB).toFixed(2)} ×)`, passed(targets.rssEndAtMost125xFirstTenth)],
        ['ready <= 3 s after the restart', `${(restarted.readyMs / 1000).toFixed(2)} s`, passed(targets.readyWithin3s)],
        ['first order after the restart < 50 ms', `${ms1(firstOrder.ms)} ms`, passed(targets.firstOrderUnder50ms)],
      ],
    )}\n\n`;
    const serverText = `${describeServer(SERVER)}${pin ? ' on CPU 0, generator on CPU 1' : ', not pinned'}`;
    out += conditionsLine(load, serverText, `MAX_SAGA_LAG=${MAX_SAGA_LAG}, ${SKUS} skus, ${CLIENTS} clients, 1 item per order`, startedAt);
    process.stdout.write(out);

    const path = writeResults('soak', {
      flags,
      maxSagaLag: MAX_SAGA_LAG,
      pinned: pin,
      loadAverageBefore: load,
      accepted: loop.accepted,
      refused: loop.refused,
      failed: loop.failed,
      errors: loop.errors,
      loadSeconds,
      unsettled: loop.accepted - settled.length,
      tenths,
      drain,
      events,
      stopMs,
      exitCode,
      readyMs: restarted.readyMs,
      firstOrder,
      targets,
    });
    log(`results in ${path}`);
    process.stdout.write(
      `soak: first=${Math.round(first.settledRate)}/s last=${Math.round(last.settledRate)}/s rss=${Math.round(first.rssMiB)}→${Math.round(last.rssMiB)} MiB ready=${(restarted.readyMs / 1000).toFixed(2)}s firstOrder=${ms1(firstOrder.ms)}ms\n`,
    );
  } finally {
    const code = await (restarted ?? server).stop();
    if (restarted !== undefined && code !== 0) {
      process.stderr.write(`[soak] the restarted server exited with ${code} on SIGTERM (expected 0)\n`);
      process.exitCode = 1;
    }
    if (flags.keep) log(`kept ${server.workDir} (data, server.log)`);
    else server.cleanup();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`[soak] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
