import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { eventually } from '../../src/shared/testing/eventually';
import type { ServerProcess } from '../support/server-process';
import { describeStoreLegs } from '../support/store-legs';
import { checkStore, describeLife, settledStatuses, type Violation } from './order-invariants';
import { OrderLoad, seededRandom } from './order-load';
import { Servers } from './servers';
import { eventsOfTheRun, headOfStore, readStore } from './store-of-the-run';

/**
 * Issue 4: kill -9 at any moment, then a restart: no acknowledged order is lost, none is left
 * unsettled, no effect is doubled. Clients load the real server process; it is killed at random
 * moments and restarted on the same data directory, again and again; then the system settles and
 * the whole event store is checked against the contract's invariants.
 *
 * CRASH_SEED=<n> replays a run's random choices (the timing of the server is its own);
 * CRASH_KEEP_DATA=1 keeps the data directory for a post-mortem.
 *
 * On EventStoreDB the data directory holds only the read models, and the server also holds earlier
 * runs' orders and products: the run's skus and customers are its own, and every check looks only
 * at them.
 */
const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));
const kills = Number(process.env.CRASH_KILLS ?? 5);
const clients = 8;
const initialStock = 75;
const adminToken = 'crash-test-admin-token-0123456789';
const settleTimeoutMs = 30000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeStoreLegs('kill -9 under load, then restart (issue 4)', (leg) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));
  const servers = new Servers();

  afterAll(async () => {
    await servers.killAll();
    if (process.env.CRASH_KEEP_DATA === '1') process.stdout.write(`crash test data kept in ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged order, leaves none unsettled and doubles no effect', async () => {
    const startedAt = Date.now();
    const random = seededRandom(seed);
    const unique = leg.uniqueNames();
    const skus = ['CRASH-A', 'CRASH-B', 'CRASH-C'].map(unique);
    const customers = Array.from({ length: clients }, (_, n) => unique(`cust_crash_${n}`));
    // The orders lists: all of them on a new embedded store; on a server with earlier runs', those of this run's customers.
    const listFilters = leg.embedded ? [''] : customers.map((customerId) => `&customerId=${customerId}`);
    const origin = leg.embedded ? undefined : await headOfStore(leg.restartable(dataDir));
    // Every other life has a slower gateway, so that kills land while payments are in flight, and one
    // a gateway slower than the payment deadline, so that timeouts race the charges; every third
    // life has a carrier that picks a shipment up at once, so that cancels race the dispatch.
    const environment = (life: number): Record<string, string> => ({
      ...leg.restartable(dataDir),
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
      RETRY_BASE_DELAY_MS: '5',
      SAGA_TIMEOUT_MS: '2000',
      PAYMENT_DELAY_MS: life === 3 || life === 4 ? '2500' : life % 2 === 0 ? '0' : '30',
      PAYMENT_DECLINE_RATE: '0.2',
      SHIPMENT_AUTO_DISPATCH_MS: life % 3 === 2 ? '0' : '20',
      SHIPMENT_AUTO_DELIVER_MS: '20',
    });

    let server: ServerProcess | undefined = await servers.start(environment(0));
    const call = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${server!.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    for (const sku of skus) {
      const created = await call('/api/products', { method: 'POST', body: JSON.stringify({ sku, name: `Product ${sku}`, price: 12.5, initialStock }) });
      expect(created.status).toBe(201);
    }

    // Load, and kill the server under it at random moments; each restart is on the same data directory.
    const load = new OrderLoad({
      customers,
      skus,
      random,
      baseUrl: () => server?.baseUrl,
      declinedShare: 0.1,
      cancelShare: 0.2,
      watchAndCancelShare: 0.2,
      restock: { adminToken, everyMs: 300, quantity: 10 },
    });
    const acknowledgedBeforeKill: number[] = [];
    const killedAt: number[] = [];
    load.start();
    try {
      for (let life = 1; life <= kills; life++) {
        await sleep(150 + Math.floor(random() * 750));
        const victim = server;
        server = undefined;
        killedAt.push(Date.now());
        await servers.kill(victim);
        acknowledgedBeforeKill.push(load.stats.ordersAcknowledged);
        server = await servers.start(environment(life));
      }
      await sleep(300);
    } finally {
      await load.stop();
    }
    const loadStoppedAt = Date.now();

    // Settle: no order PENDING, CONFIRMED or PAID, every process manager and read model caught up
    // (twice in a row at the same checkpoints, so nothing was between two steps).
    let previous = '';
    await eventually(
      async () => {
        for (const status of ['PENDING', 'CONFIRMED', 'PAID']) {
          for (const filter of listFilters) {
            const { body } = await call(`/api/orders?status=${status}&limit=5${filter}`);
            const items = body.items as Array<{ orderId: string }>;
            if (items.length > 0) throw new Error(`still ${status}: ${items.map((order) => order.orderId).join(', ')}`);
          }
        }
        const subscriptions = (await call('/api/admin/subscriptions')).body.items as Array<{ name: string; checkpoint: string; lag: number }>;
        const projections = (await call('/api/admin/projections')).body.items as Array<{ name: string; position: string; lag: number }>;
        const behind = [...subscriptions, ...projections].filter((item) => item.lag > 0);
        if (behind.length > 0) throw new Error(`behind: ${behind.map((item) => `${item.name} (${item.lag})`).join(', ')}`);
        const marks = JSON.stringify([...subscriptions.map((item) => item.checkpoint), ...projections.map((item) => item.position)]);
        if (marks !== previous) {
          previous = marks;
          throw new Error('caught up; checking it stays so');
        }
      },
      settleTimeoutMs,
      100,
    );
    const settledAfterMs = Date.now() - loadStoppedAt;

    // Over HTTP: every acknowledged order answers (none lost) and is settled; nothing dead-lettered.
    const answered = new Map<string, string>();
    const acknowledged = [...load.acknowledged];
    for (let from = 0; from < acknowledged.length; from += 32) {
      await Promise.all(
        acknowledged.slice(from, from + 32).map(async (orderId) => {
          const { status, body } = await call(`/api/orders/${orderId}`);
          answered.set(orderId, status === 200 ? String(body.status) : `HTTP ${status}`);
        }),
      );
    }
    const listed = new Map<string, string>();
    for (const filter of listFilters) {
      for (let cursor: string | null = null; ; ) {
        const page: Record<string, unknown> = (await call(`/api/orders?limit=1000${filter}${cursor === null ? '' : `&cursor=${cursor}`}`)).body;
        for (const order of page.items as Array<{ orderId: string; status: string }>) listed.set(order.orderId, order.status);
        cursor = page.nextCursor as string | null;
        if (cursor === null) break;
      }
    }
    const products = new Map<string, { onHand: number; reserved: number; available: number }>();
    for (const sku of skus) products.set(sku, (await call(`/api/products/${sku}`)).body.stock as { onHand: number; reserved: number; available: number });
    const allDeadLetters = (await call('/api/admin/dead-letters')).body.items as Array<{ eventId: string }>;

    // A clean stop, then the whole store (on EventStoreDB, this run's part of it), read by the test.
    const last = server;
    server = undefined;
    expect(await servers.stop(last)).toEqual({ code: 0, signal: null });
    const stored = await readStore(leg.restartable(dataDir), origin);
    const events = leg.embedded ? stored : eventsOfTheRun(stored, { skus, customers });
    // The groups on EventStoreDB keep the letters parked by earlier runs: only this run's events count.
    const runEventIds = new Set(events.map((event) => event.id));
    const deadLetters = leg.embedded ? allDeadLetters : allDeadLetters.filter((letter) => runEventIds.has(letter.eventId));
    const verdict = checkStore(events, { orders: acknowledged, restocks: load.restocksAcknowledged });

    const violations: Violation[] = [...verdict.violations];
    for (const [orderId, status] of answered) {
      if (status !== verdict.statuses.get(orderId)) violations.push({ orderId, message: `GET /api/orders answered ${status}, the store says ${verdict.statuses.get(orderId)}` });
    }
    for (const [orderId, status] of verdict.statuses) {
      if (listed.get(orderId) !== status) violations.push({ orderId, message: `the order list says ${listed.get(orderId)}, the store says ${status}` });
    }
    if (listed.size !== verdict.statuses.size) violations.push({ message: `the order list has ${listed.size} orders, the store ${verdict.statuses.size}` });
    for (const [sku, stock] of products) {
      const folded = verdict.stock.get(sku);
      const expected = folded === undefined ? undefined : { ...folded, available: folded.onHand - folded.reserved };
      if (JSON.stringify(stock) !== JSON.stringify(expected)) violations.push({ message: `GET /api/products/${sku} says ${JSON.stringify(stock)}, the store ${JSON.stringify(expected)}` });
    }
    for (const letter of deadLetters) violations.push({ message: `dead-lettered: ${JSON.stringify(letter)}` });
    for (const unexpected of load.stats.unexpected) violations.push({ message: `unexpected answer: ${unexpected}` });

    const byStatus = Object.fromEntries(settledStatuses.map((status) => [status, 0]));
    for (const status of verdict.statuses.values()) byStatus[status] = (byStatus[status] ?? 0) + 1;
    const timedOut = events.filter((event) => event.type === 'OrderCancelled' && (event.data as { reason?: string }).reason === 'timeout').length;
    // How many sagas a kill cut through (so the restarts were tested, not only the load): any step, and a payment in flight.
    const spans = (life: readonly RecordedEvent[], from: string[], to: string[]) => {
      const start = life.find((event) => from.includes(event.type))?.createdAt.getTime();
      const end = life.find((event) => to.includes(event.type))?.createdAt.getTime();
      return start !== undefined && end !== undefined && killedAt.some((at) => start < at && at < end);
    };
    const orderLives = [...verdict.statuses.keys()].map((orderId) => verdict.lives.get(orderId) ?? []);
    const cutByKill = orderLives.filter((life) => spans(life, ['OrderPlaced'], ['OrderShipped', 'OrderRejected', 'OrderPaymentFailed', 'OrderCancelled'])).length;
    const paymentCut = orderLives.filter((life) => spans(life, ['OrderConfirmed'], ['PaymentProcessed', 'PaymentFailed'])).length;
    const { stats } = load;
    process.stdout.write(
      `crash test (seed ${seed}): ${stats.ordersAcknowledged} orders acknowledged of ${stats.ordersPosted} posted ` +
        `(${verdict.statuses.size} in the store), ${kills} kills (after ${acknowledgedBeforeKill.join('/')} acks), ` +
        `${cutByKill} sagas cut by a kill (${paymentCut} with a payment in flight), ${stats.unanswered} requests unanswered, ` +
        `cancels ${stats.cancelsAccepted} accepted/${stats.cancelsRefused} refused (sent the moment it was CONFIRMED ${stats.cancelsWhenConfirmed}, PAID ${stats.cancelsWhenPaid}), ` +
        `${[...load.restocksAcknowledged.values()].reduce((sum, n) => sum + n, 0)} restocks; ` +
        `settled ${JSON.stringify(byStatus)} (${timedOut} cancelled by the deadline) ${settledAfterMs} ms after the load stopped; ${events.length} events; ` +
        `${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
    );

    if (violations.length > 0) {
      const offenders = [...new Set(violations.map((violation) => violation.orderId).filter((id): id is string => id !== undefined))];
      throw new Error(
        [
          `${violations.length} violation(s) of the contract after ${kills} kills (CRASH_SEED=${seed}):`,
          ...violations.slice(0, 30).map((violation) => `- ${violation.orderId ?? ''} ${violation.message}`),
          '',
          ...offenders.slice(0, 5).map((orderId) => describeLife(orderId, verdict.lives.get(orderId) ?? [])),
          '',
          'server output (tail):',
          servers.output().slice(-4000),
        ].join('\n'),
      );
    }
    expect(stats.ordersAcknowledged).toBeGreaterThan(0);
  }, 120000);
});
