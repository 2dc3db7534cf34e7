/**
 * `npm run bench:streams`: what watching orders live costs (CONTRACT §6). The real server process on
 * the embedded store (a fresh temp DATA_DIR), over HTTP on loopback (server pinned to CPU 0, this
 * client to CPU 1), with a payment gateway that answers after PAYMENT_DELAY_MS (default 50 ms), so
 * that most of each order's saga is committed after its stream is open.
 *
 * 1. Delivery: one order at a time on an otherwise idle server: POST it, open its stream
 *    (`GET /api/orders/:id/stream`), and for every event committed after the stream was open (its
 *    `occurredAt`, the store's time of the append, is later than the moment the stream answered),
 *    the delay from that commit to the moment its message is read here (same host clock, whole ms:
 *    about ±1 ms). Target: p99 under 10 ms.
 * 2. Idle streams: after 10 s for the first phase's work to settle, the server idle for --idle=30 s
 *    with no stream, then as long with 1,000 order streams open on orders long settled, nothing
 *    committed: what the streams add to the server's CPU (/proc/<pid>/stat, as a share of one core)
 *    and to its RSS (/proc/<pid>/status VmRSS) with them open against before they were opened.
 *    Targets: under 2% of a core and under 50 MiB. Heartbeats (STREAM_HEARTBEAT_MS, 15 s) are part
 *    of the idle cost.
 *
 * Run from the repo root: `npm run bench:streams` or `tsx bench/streams/run.ts`. Options (defaults first):
 *   --orders=300               orders whose live events are timed
 *   --streams=1000, --idle=30  idle streams held open, and for how many seconds
 *   --payment-delay=50         PAYMENT_DELAY_MS for the server
 *   --server=build|dist|tsx, --entry=<main.js>, --no-pin, --keep   as in bench/saga/run.ts
 * Progress goes to stderr; the tables and, last, the summary line to stdout:
 * `streams: delivery p99=Xms idle=N streams cpu=Y% rss=+Z MiB`. The results also go to
 * bench/results/streams.json.
 */
import { type IncomingMessage, request } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { describeServer, pinGenerator, positive, serverFlags, serverModeOf } from '../common/cli';
import { JsonClient } from '../common/http-client';
import { createProduct, orderBody, sleep } from '../common/orders-api';
import { conditionsLine, writeResults } from '../common/results';
import { log, setLogName, startServer } from '../common/server-process';
import { ms1, percentile, table } from '../common/stats';

setLogName('streams');

const { values: flags } = parseArgs({
  options: {
    ...serverFlags,
    orders: { type: 'string', default: '300' },
    streams: { type: 'string', default: '1000' },
    idle: { type: 'string', default: '30' },
    'payment-delay': { type: 'string', default: '50' },
  },
});

const SERVER = serverModeOf(flags.server, flags.entry);
const ORDERS = positive('orders', flags.orders);
const STREAMS = positive('streams', flags.streams);
const IDLE_S = positive('idle', flags.idle);
const PAYMENT_DELAY_MS = positive('payment-delay', flags['payment-delay']);
const SKU = 'STREAM-01';
const MIB = 1024 * 1024;

interface OpenStream {
  /** Date.now() when the response's headers arrived: events committed after it are live. */
  readonly openedAt: number;
  readonly response: IncomingMessage;
  close(): void;
}

/** Opens an SSE stream; `onEvent` gets each message's data (parsed) and the Date.now() it was read at. */
const openStream = (
  port: number,
  path: string,
  onEvent: (data: { occurredAt: string; eventType: string }, readAt: number, openedAt: number) => void,
): Promise<OpenStream> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`GET ${path}: ${response.statusCode}`));
        response.resume();
        return;
      }
      const openedAt = Date.now();
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const readAt = Date.now();
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = message.split('\n').find((line) => line.startsWith('data: '));
          if (data !== undefined) onEvent(JSON.parse(data.slice(6)), readAt, openedAt);
        }
      });
      response.on('error', () => undefined);
      resolve({ openedAt, response, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });

const main = async () => {
  const startedAt = Date.now();
  const loadBefore = loadavg()[0]!;
  const pin = pinGenerator(flags['no-pin']);
  const adminToken = `bench-streams-${Date.now()}-token`;
  const server = await startServer({
    mode: SERVER,
    cpu: pin ? 0 : undefined,
    adminToken,
    nodeFlags: [],
    env: { PAYMENT_DELAY_MS: String(PAYMENT_DELAY_MS), MAX_EVENT_STREAMS: String(STREAMS + 100) },
  });
  try {
    const client = new JsonClient(server.port, 1);
    const admin = new JsonClient(server.port, 1, { authorization: `Bearer ${adminToken}` });
    await createProduct(admin, SKU, 10_000_000);

    // 1. Delivery of live events, one order at a time.
    const delays: number[] = [];
    const orderIds: string[] = [];
    for (let n = 0; n < ORDERS; n++) {
      const placed = await client.post<{ orderId: string }>('/api/orders', orderBody('streams-bench', SKU));
      if (placed.status !== 201) throw new Error(`POST /api/orders: ${placed.status}`);
      const { orderId } = placed.body;
      orderIds.push(orderId);
      let shipped!: () => void;
      const done = new Promise<void>((resolve) => (shipped = resolve));
      const stream = await openStream(server.port, `/api/orders/${orderId}/stream`, (event, readAt, openedAt) => {
        const committedAt = Date.parse(event.occurredAt);
        if (committedAt > openedAt) delays.push(readAt - committedAt);
        if (event.eventType === 'OrderShipped') shipped();
      });
      await Promise.race([done, sleep(10_000)]);
      stream.close();
      if ((n + 1) % 100 === 0) log(`${n + 1} of ${ORDERS} orders watched, ${delays.length} live events timed`);
    }

    // 2. Idle streams on settled orders: the server idle without them, then with them, for as long.
    const idleSpan = async () => {
      const cpuFrom = server.cpuSeconds();
      const from = Date.now();
      await sleep(IDLE_S * 1000);
      return (server.cpuSeconds() - cpuFrom) / ((Date.now() - from) / 1000);
    };
    // Time for the work of the first phase to settle (its garbage collected), then the server alone.
    await sleep(10_000);
    const idleAlone = await idleSpan();
    const rssBefore = server.rssBytes();
    const streams: OpenStream[] = [];
    for (let n = 0; n < STREAMS; n++) streams.push(await openStream(server.port, `/api/orders/${orderIds[n % orderIds.length]}/stream`, () => undefined));
    log(`${STREAMS} streams open; idle for ${IDLE_S} s`);
    await sleep(2000);
    const idleWith = await idleSpan();
    const idleCpu = Math.max(0, idleWith - idleAlone);
    const rssOpen = server.rssBytes();
    for (const stream of streams) stream.close();

    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    const rows = [
      ['live events timed', `${delays.length} (of ${ORDERS} orders, PAYMENT_DELAY_MS=${PAYMENT_DELAY_MS})`],
      ['commit → read by the client', `p50 ${ms1(p50)} ms, p99 ${ms1(p99)} ms, max ${ms1(Math.max(...delays))} ms`],
      [`${STREAMS} idle streams, ${IDLE_S} s`, `server CPU ${(idleWith * 100).toFixed(2)}% of a core, against ${(idleAlone * 100).toFixed(2)}% idle without them: +${(idleCpu * 100).toFixed(2)}%`],
      ['RSS with them open', `${(rssOpen / MIB).toFixed(0)} MiB against ${(rssBefore / MIB).toFixed(0)} MiB before (+${((rssOpen - rssBefore) / MIB).toFixed(1)} MiB)`],
    ];
    const targets = [
      ['delivery p99 < 10 ms', `${ms1(p99)} ms`, p99 < 10 ? 'met' : 'MISSED'],
      [`${STREAMS} idle streams < 2% of a core`, `${(idleCpu * 100).toFixed(2)}%`, idleCpu < 0.02 ? 'met' : 'MISSED'],
      [`${STREAMS} idle streams < 50 MiB`, `+${((rssOpen - rssBefore) / MIB).toFixed(1)} MiB`, rssOpen - rssBefore < 50 * MIB ? 'met' : 'MISSED'],
    ];
    console.log(table(['measure', 'result'], rows));
    console.log();
    console.log(table(['target', 'measured', ''], targets));
    console.log();
    console.log(
      conditionsLine(loadBefore, describeServer(SERVER), `${ORDERS} orders watched one at a time, then ${STREAMS} idle streams`, startedAt, PAYMENT_DELAY_MS),
    );
    writeResults('streams', {
      loadAverageBefore: loadBefore,
      deliveryMs: { p50, p99, samples: delays.length },
      idle: { streams: STREAMS, seconds: IDLE_S, cpuShare: idleCpu, cpuShareWith: idleWith, cpuShareAlone: idleAlone, rssBeforeBytes: rssBefore, rssOpenBytes: rssOpen },
      targets: Object.fromEntries(targets.map(([name, measured, verdict]) => [name!, { measured, verdict }])),
    });
    console.log(
      `streams: delivery p99=${ms1(p99)}ms idle=${STREAMS} streams cpu=${(idleCpu * 100).toFixed(2)}% rss=+${((rssOpen - rssBefore) / MIB).toFixed(1)} MiB`,
    );
    client.close();
    admin.close();
  } finally {
    await server.stop();
    if (!flags.keep) server.cleanup();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
