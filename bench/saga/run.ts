/**
 * The whole saga over HTTP on loopback, against the real server process on the embedded store:
 *
 * - latency: one client places an order (POST /api/orders) and polls GET /api/orders/:id in a tight
 *   loop (the next GET goes out as soon as the previous answer is in, no sleep) until it sees SHIPPED;
 *   POST start → first GET that sees SHIPPED. The polling itself costs the server CPU and adds up to
 *   one GET round trip; the server-side time (OrderPlaced → OrderShipped commit) is shown next to it.
 * - throughput: 16 closed-loop clients POST orders for 20 s; the score is the orders whose
 *   OrderShipped was committed inside the window, divided by the window (orders still in flight at
 *   its end do not count), read from the orders read model (`updatedAt` = OrderShipped's store time)
 *   once it has caught up with the store's head as of the window's end.
 *
 * Run from the repo root: `tsx bench/saga/run.ts`. Options (defaults first):
 *   --server=build|dist|tsx   build: compile src/ with the repo's tsc into a temp dir and run that
 *                             (always fresh, never touches dist/); dist: `npm run build`'s dist/main.js;
 *                             tsx: `node --import tsx src/main.ts`
 *   --entry=<main.js>         run another build instead (e.g. an experiment)
 *   --phase=all|latency|throughput, --warmup=200, --orders=2000, --clients=16, --duration=20, --skus=50
 *   --poll-ms=0               0: tight polling; N: a GET every N ms (less load from the poller)
 *   --no-pin                  by default the server runs on CPU 0 and this generator on CPU 1 (taskset)
 *   --cpu-prof=<dir>          write a V8 CPU profile of the server there (on its exit)
 *   --keep                    keep the temp dir (store, read models, server.log)
 * Progress goes to stderr; the table and, last, the summary line to stdout:
 * `saga: p50=X.Xms p99=X.Xms throughput=Norders/s`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { JsonClient } from '../common/http-client';
import { type RunningServer, type ServerMode, hasTaskset, log, pinProcess, startServer } from '../common/server-process';
import { int, mean, ms1, percentile, table } from '../common/stats';

const { values: flags } = parseArgs({
  options: {
    server: { type: 'string', default: 'build' },
    entry: { type: 'string' },
    'poll-ms': { type: 'string', default: '0' },
    clients: { type: 'string', default: '16' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '200' },
    orders: { type: 'string', default: '2000' },
    skus: { type: 'string', default: '50' },
    phase: { type: 'string', default: 'all' },
    'no-pin': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});

const positive = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return value;
};
if (!['build', 'dist', 'tsx'].includes(flags.server!)) throw new Error('--server must be build, dist or tsx');
const POLL_MS = Number(flags['poll-ms']);
if (!Number.isInteger(POLL_MS) || POLL_MS < 0) throw new Error('--poll-ms must be a whole number of ms (0: tight polling)');
if (!['all', 'latency', 'throughput'].includes(flags.phase!)) throw new Error('--phase must be all, latency or throughput');
const SERVER: ServerMode = flags.entry === undefined ? (flags.server as ServerMode) : { entry: resolve(flags.entry) };
const CLIENTS = positive('clients', flags.clients);
const DURATION_S = positive('duration', flags.duration);
const WARMUP = Number(flags.warmup);
if (!Number.isInteger(WARMUP) || WARMUP < 0) throw new Error(`--warmup must be a whole number, not ${flags.warmup}`);
const ORDERS = positive('orders', flags.orders);
const SKUS = positive('skus', flags.skus);
const RUN_LATENCY = flags.phase !== 'throughput';
const RUN_THROUGHPUT = flags.phase !== 'latency';
const STOCK = 1_000_000;
const SETTLED = new Set(['SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED']);

interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
interface Lagging {
  readonly name: string;
  readonly lag: number;
  readonly position?: string;
  readonly checkpoint?: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const skuOf = (index: number) => `SAGA-${String(index % SKUS).padStart(3, '0')}`;
const orderBody = (customerId: string, n: number) => ({
  customerId,
  items: [{ sku: skuOf(n), quantity: 1 }],
  shippingAddress: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
});

const createProducts = async (admin: JsonClient): Promise<void> => {
  for (let i = 0; i < SKUS; i++) {
    const response = await admin.post('/api/products', { sku: skuOf(i), name: `Saga bench item ${i}`, price: 19.99, initialStock: STOCK });
    if (response.status !== 201) throw new Error(`POST /api/products answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
};

// ---------------------------------------------------------------- latency, one client

interface LatencySample {
  readonly ms: number;
  readonly polls: number;
  /** OrderShipped's store time minus OrderPlaced's (ms resolution). */
  readonly serverMs: number;
}

const placeAndAwaitShipped = async (client: JsonClient, customerId: string, n: number): Promise<LatencySample> => {
  const started = performance.now();
  const placed = await client.post<Order>('/api/orders', orderBody(customerId, n));
  if (placed.status !== 201) throw new Error(`POST /api/orders answered ${placed.status}: ${JSON.stringify(placed.body)}`);
  const { orderId } = placed.body;
  for (let polls = 1; ; polls++) {
    const read = await client.get<Order>(`/api/orders/${orderId}`);
    if (read.status !== 200) throw new Error(`GET /api/orders/${orderId} answered ${read.status}`);
    const { status, createdAt, updatedAt } = read.body;
    if (status === 'SHIPPED') {
      return { ms: performance.now() - started, polls, serverMs: Date.parse(updatedAt) - Date.parse(createdAt) };
    }
    if (SETTLED.has(status)) throw new Error(`order ${orderId} settled ${status}, not SHIPPED`);
    if (performance.now() - started > 30_000) throw new Error(`order ${orderId} still ${status} after 30 s`);
    if (POLL_MS > 0) await sleep(POLL_MS);
  }
};

const latencyPhase = async (server: RunningServer) => {
  const client = new JsonClient(server.port, 1);
  try {
    for (let i = 0; i < WARMUP; i++) await placeAndAwaitShipped(client, 'saga-bench-warmup', i);
    log(`latency: ${WARMUP} warm-up orders done; measuring ${ORDERS}`);
    const samples: LatencySample[] = [];
    const cpuBefore = server.cpuSeconds();
    const writtenBefore = server.bytesWritten();
    const started = performance.now();
    for (let i = 0; i < ORDERS; i++) samples.push(await placeAndAwaitShipped(client, 'saga-bench-latency', i));
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

// ---------------------------------------------------------------- throughput, 16 clients

const lagOf = async (admin: JsonClient) => {
  const [subscriptions, projections] = await Promise.all([
    admin.get<{ items: Lagging[] }>('/api/admin/subscriptions'),
    admin.get<{ items: Lagging[] }>('/api/admin/projections'),
  ]);
  const subs = subscriptions.body.items;
  const projs = projections.body.items;
  const orders = projs.find((item) => item.name === 'orders');
  if (orders === undefined) throw new Error('no "orders" read model in /api/admin/projections');
  return {
    subscriptionsMax: Math.max(...subs.map((item) => item.lag)),
    subscriptionsSum: subs.reduce((sum, item) => sum + item.lag, 0),
    worst: subs.reduce((worst, item) => (item.lag > worst.lag ? item : worst), subs[0]!).name,
    projectionsMax: Math.max(...projs.map((item) => item.lag)),
    ordersPosition: BigInt(orders.position ?? '0'),
    /** The store's head as the orders read model saw it. */
    head: BigInt(orders.position ?? '0') + BigInt(orders.lag),
  };
};

const listOrders = async (admin: JsonClient, customerId: string): Promise<Order[]> => {
  const all: Order[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/api/orders?customerId=${customerId}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page = await admin.get<{ items: Order[]; nextCursor: string | null }>(query);
    if (page.status !== 200) throw new Error(`GET ${query} answered ${page.status}`);
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return all;
};

const throughputPhase = async (server: RunningServer, admin: JsonClient) => {
  const customerId = 'saga-bench-throughput';
  const client = new JsonClient(server.port, CLIENTS);
  const postMs: number[] = [];
  let created = 0;
  let refused = 0;
  let errors = 0;
  let n = 0;
  const cpuBefore = server.cpuSeconds();
  const writtenBefore = server.bytesWritten();
  const ownCpuBefore = process.cpuUsage();
  const windowStart = Date.now();
  const windowEnd = windowStart + DURATION_S * 1000;
  const worker = async () => {
    while (Date.now() < windowEnd) {
      const started = performance.now();
      try {
        const response = await client.post('/api/orders', orderBody(customerId, n++));
        postMs.push(performance.now() - started);
        if (response.status === 201) created++;
        else refused++;
      } catch {
        errors++;
      }
    }
  };
  // At the window's end: the lag, sampled while the clients' last POSTs are still in flight.
  const atEnd = (async () => {
    await sleep(windowEnd - Date.now());
    const serverCpu = server.cpuSeconds() - cpuBefore;
    const written = server.bytesWritten() - writtenBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const posted = created;
    const lag = await lagOf(admin);
    return { serverCpu, written, ownCpu: (ownCpu.user + ownCpu.system) / 1e6, posted, lag };
  })();
  const progress = setInterval(() => log(`throughput: ${created} orders placed so far`), 5000);
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  clearInterval(progress);
  const end = await atEnd;
  client.close();
  log(`throughput: window over; ${created} orders placed, lag at the end ${end.lag.subscriptionsMax} (${end.lag.worst})`);

  // Every order shipped by the window's end is in the store by then: wait for the read model to reach that head.
  const catchUpStarted = Date.now();
  for (;;) {
    const lag = await lagOf(admin);
    if (lag.ordersPosition >= end.lag.head) break;
    if (Date.now() - catchUpStarted > 300_000) throw new Error('the orders read model did not catch up in 300 s');
    await sleep(100);
  }
  // Then let the rest settle (bounded), to report how long the backlog took and how the orders ended.
  const drainStarted = Date.now();
  let drainedMs: number | undefined;
  while (Date.now() - drainStarted < 120_000) {
    const lag = await lagOf(admin);
    if (lag.subscriptionsMax === 0 && lag.projectionsMax === 0) {
      drainedMs = Date.now() - windowEnd;
      break;
    }
    await sleep(100);
  }
  const orders = await listOrders(admin, customerId);
  const byStatus = new Map<string, number>();
  for (const order of orders) byStatus.set(order.status, (byStatus.get(order.status) ?? 0) + 1);
  const shippedInWindow = orders.filter((order) => order.status === 'SHIPPED' && Date.parse(order.updatedAt) <= windowEnd);
  const sagaMs = shippedInWindow.map((order) => Date.parse(order.updatedAt) - Date.parse(order.createdAt));
  return {
    posts: created,
    postsInWindow: end.posted,
    refused,
    errors,
    postRate: end.posted / DURATION_S,
    postP50: percentile(postMs, 50),
    postP99: percentile(postMs, 99),
    shipped: shippedInWindow.length,
    throughput: shippedInWindow.length / DURATION_S,
    inFlightAtEnd: created - shippedInWindow.length,
    lagAtEnd: end.lag,
    drainedMs,
    byStatus,
    listed: orders.length,
    sagaP50: percentile(sagaMs, 50),
    sagaP99: percentile(sagaMs, 99),
    serverCpuShare: end.serverCpu / DURATION_S,
    kbWrittenPerOrder: end.written / 1024 / Math.max(1, end.posted),
    ownCpuShare: end.ownCpu / DURATION_S,
  };
};

// ---------------------------------------------------------------- main

const main = async () => {
  const startedAt = Date.now();
  const load = loadavg()[0]!;
  const pin = !flags['no-pin'] && cpus().length >= 2 && hasTaskset();
  if (pin) pinProcess(process.pid, 1);
  const nodeFlags: string[] = [];
  if (flags['cpu-prof'] !== undefined) {
    const dir = resolve(flags['cpu-prof']);
    mkdirSync(dir, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const adminToken = randomBytes(24).toString('base64url');
  const server = await startServer({ mode: SERVER, cpu: pin ? 0 : undefined, adminToken, nodeFlags, env: {} });
  log(`server ${server.entry} pid ${server.pid} on 127.0.0.1:${server.port}${pin ? ' (server on CPU 0, this generator on CPU 1)' : ''}`);
  const admin = new JsonClient(server.port, 2, { authorization: `Bearer ${adminToken}` });
  let latency: Awaited<ReturnType<typeof latencyPhase>> | undefined;
  let throughput: Awaited<ReturnType<typeof throughputPhase>> | undefined;
  let exitCode: number | null;
  try {
    await createProducts(admin);
    log(`${SKUS} products with ${int(STOCK)} units each`);
    if (RUN_LATENCY) latency = await latencyPhase(server);
    if (RUN_THROUGHPUT) throughput = await throughputPhase(server, admin);
  } finally {
    admin.close();
    exitCode = await server.stop();
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

  const rows: string[][] = [];
  if (latency !== undefined) {
    rows.push(
      ['latency, 1 client: POST → first GET seeing SHIPPED', `p50 ${ms1(latency.p50)} ms, p99 ${ms1(latency.p99)} ms, mean ${ms1(latency.mean)} ms, max ${ms1(latency.max)} ms`, `${ORDERS} orders after ${WARMUP} warm-up; ${POLL_MS === 0 ? 'tight polling' : `a GET every ${POLL_MS} ms`}, ${latency.polls.toFixed(1)} GETs per order; ${latency.rate.toFixed(0)} orders/s`],
      [
        'same, server side: OrderPlaced → OrderShipped',
        `p50 ${ms1(latency.serverP50)} ms, p99 ${ms1(latency.serverP99)} ms`,
        `store timestamps, 1 ms resolution; per order the server used ${ms1(latency.cpuMsPerOrder)} ms of CPU and wrote ${int(latency.kbWrittenPerOrder)} KB to disk, polling included`,
      ],
    );
  }
  if (throughput !== undefined) {
    const t = throughput;
    const statuses = [...t.byStatus].map(([status, count]) => `${status} ${int(count)}`).join(', ');
    rows.push(
      [`throughput, ${CLIENTS} clients, ${DURATION_S} s: settled (SHIPPED) in the window`, `${int(t.throughput)} orders/s`, `${int(t.shipped)} orders whose OrderShipped was committed by the window's end`],
      ['POST /api/orders', `${int(t.postRate)} requests/s, p50 ${ms1(t.postP50)} ms, p99 ${ms1(t.postP99)} ms`, `${int(t.postsInWindow)} placed in the window (${int(t.posts)} with the last in flight); ${t.refused} non-201, ${t.errors} errors`],
      ['in flight at the window\'s end', `${int(t.inFlightAtEnd)} orders`, `subscription lag then: max ${int(t.lagAtEnd.subscriptionsMax)} events (${t.lagAtEnd.worst}), sum ${int(t.lagAtEnd.subscriptionsSum)}; read-model lag max ${int(t.lagAtEnd.projectionsMax)}`],
      ['backlog drained', t.drainedMs === undefined ? 'not within 120 s' : `${(t.drainedMs / 1000).toFixed(1)} s after the window`, `final: ${statuses} (${int(t.listed)} listed)`],
      ['saga under load, server side (shipped in window)', `p50 ${ms1(t.sagaP50)} ms, p99 ${ms1(t.sagaP99)} ms`, 'OrderPlaced → OrderShipped store times'],
      [
        'CPU in the window',
        `server ${(t.serverCpuShare * 100).toFixed(0)}% of a core, generator ${(t.ownCpuShare * 100).toFixed(0)}%`,
        `${pin ? 'server pinned to CPU 0, generator to CPU 1' : 'not pinned'}; server CPU per order shipped in the window ${ms1((t.serverCpuShare * DURATION_S * 1000) / t.shipped)} ms (${int(t.shipped / (t.serverCpuShare * DURATION_S))} orders per CPU-second); disk writes ${int(t.kbWrittenPerOrder)} KB per order placed`,
      ],
    );
  }
  if (latency !== undefined && throughput !== undefined) {
    rows.push([
      'targets',
      `p99 < 50 ms: ${latency.p99 < 50 ? 'met' : 'MISSED'}; >= 1,000 orders/s: ${throughput.throughput >= 1000 ? 'met' : 'MISSED'}`,
      '',
    ]);
  }
  process.stdout.write(`# Saga benchmark (HTTP on loopback, embedded store)\n\n${table(['measure', 'result', 'notes'], rows)}\n\n`);
  process.stdout.write(
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, load average ${load.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after; ` +
      `server ${typeof SERVER === 'object' ? SERVER.entry : SERVER === 'build' ? 'a private tsc build of src/' : SERVER === 'dist' ? 'dist/main.js' : 'tsx src/main.ts'}, EVENT_STORE=sqlite in a fresh temp DATA_DIR, LOG_LEVEL=warn, PAYMENT_DELAY_MS=0; ` +
      `${SKUS} skus, 1 item per order. Measured in ${((Date.now() - startedAt) / 1000).toFixed(0)} s.\n\n`,
  );
  const p50 = latency === undefined ? 'n/a' : ms1(latency.p50);
  const p99 = latency === undefined ? 'n/a' : ms1(latency.p99);
  const rate = throughput === undefined ? 'n/a' : String(Math.round(throughput.throughput));
  process.stdout.write(`saga: p50=${p50}ms p99=${p99}ms throughput=${rate}orders/s\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`[saga] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
