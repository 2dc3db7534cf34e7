import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreFile } from '../../src/event-store/create-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEventId } from '../../src/shared/application/event-ids';
import { eventually } from '../../src/shared/testing/eventually';
import { checkStore } from '../crash/order-invariants';
import { readStore } from '../crash/store-of-the-run';
import { freePort } from '../support/free-port';
import { openSse } from '../support/sse-client';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/**
 * CONTRACT §4 and §5 "Stopping": SIGTERM exits 0 within 10 s, also with a large backlog waiting for
 * the process managers; they stop after the events in hand and save their checkpoints, and the next
 * start takes the backlog up, nothing lost and nothing doubled. The requests in flight are finished;
 * a connection still open after the server's deadline is closed, so that no client can hold the
 * process.
 *
 * SHUTDOWN_BACKLOG_ORDERS=<n> sets the backlog (default 12,000 orders: their OrderPlaced, and the
 * six more events each of them brings about, wait for the process managers).
 */
const backlogOrders = Number(process.env.SHUTDOWN_BACKLOG_ORDERS ?? 12_000);
const skus = Array.from({ length: 20 }, (_, n) => `BACKLOG-${n}`);
const adminToken = 'shutdown-test-admin-token-0123456789';
const contractStopMs = 10_000;
const happyPath = ['OrderPlaced', 'InventoryReserved', 'OrderConfirmed', 'PaymentProcessed', 'OrderPaid', 'ShipmentCreated', 'OrderShipped'];

/** SIGTERM, and how it ended: killed (signal SIGKILL) if it outlived the contract's 10 s by far. */
const terminate = async (child: ChildProcessWithoutNullStreams, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>) => {
  const signalled = Date.now();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), contractStopMs + 10_000);
  const exit = await exited;
  clearTimeout(killer);
  return { ...exit, ms: Date.now() - signalled };
};
const stop = (server: ServerProcess) => terminate(server.child, server.exited());

/** Products with stock for every order, and `count` orders placed, written straight into the store of `dataDir`. */
const seedBacklog = async (dataDir: string, count: number): Promise<string[]> => {
  const store = SqliteEventStore.open({ filename: eventStoreFile(dataDir) });
  try {
    for (const sku of skus) {
      const id = newEventId();
      const data = { sku, name: `Product ${sku}`, price: 12.5, currency: 'USD', initialStock: 1_000_000 };
      await store.append(`Product-${sku}`, [{ id, type: 'ProductCreated', data, metadata: { correlationId: sku, causationId: id, schemaVersion: 1 } }], 'no_stream');
    }
    // Far ahead: no order of the backlog times out, so each must end SHIPPED.
    const paymentDueBy = new Date(Date.now() + 3_600_000).toISOString();
    const orderIds: string[] = [];
    for (let from = 0; from < count; from += 1000) {
      const appends: Array<Promise<unknown>> = [];
      for (let n = from; n < Math.min(count, from + 1000); n++) {
        const orderId = newEventId();
        const sku = skus[n % skus.length]!;
        orderIds.push(orderId);
        const data = {
          orderId,
          customerId: `cust_backlog_${n % 50}`,
          items: [{ sku, name: `Product ${sku}`, quantity: 1, unitPrice: 12.5, lineTotal: 12.5 }],
          total: 12.5,
          currency: 'USD',
          shippingAddress: { street: '1 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
          paymentMethod: { token: 'tok_visa' },
          paymentDueBy,
        };
        const metadata = { correlationId: orderId, causationId: newEventId(), schemaVersion: 1 };
        appends.push(store.append(`Order-${orderId}`, [{ id: newEventId(), type: 'OrderPlaced', data, metadata }], 'no_stream'));
      }
      await Promise.all(appends);
    }
    return orderIds;
  } finally {
    await store.close();
  }
};

const adminGet = async (server: ServerProcess, path: string) => {
  const response = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
};

interface Mark {
  readonly name: string;
  readonly checkpoint?: string;
  readonly position?: string;
  readonly lag: number;
}

describe('SIGTERM (CONTRACT §5, Stopping)', () => {
  const dataDirs: string[] = [];
  const servers: ServerProcess[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigterm-'));
    dataDirs.push(dir);
    return dir;
  };
  const start = async (environment: Record<string, string>) => {
    const server = await startServerProcess({ ADMIN_TOKEN: adminToken, ...environment });
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited()));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it(`exits 0 within 10 s while the process managers are far behind (${backlogOrders} orders), and the next start takes the backlog up: every order SHIPPED, no step doubled`, async () => {
    const dataDir = newDataDir();
    const orderIds = await seedBacklog(dataDir, backlogOrders);

    // First life. The carrier picks nothing up for 10 minutes: its process manager holds every shipped
    // order's event in hand, waiting, when the signal comes.
    const first = await start({ DATA_DIR: dataDir, SHIPMENT_AUTO_DISPATCH_MS: '600000', LOG_LEVEL: 'info' });
    // Every step of the saga under way (each process manager has moved), with most of the backlog still waiting.
    let reservationsLag = 0;
    await eventually(
      async () => {
        const marks = (await adminGet(first, '/api/admin/subscriptions')).items as Mark[];
        const behind = marks.filter((mark) => mark.name !== 'carrier-pick-up' && mark.checkpoint === '0');
        if (behind.length > 0) throw new Error(`not started yet: ${behind.map((mark) => mark.name).join(', ')}`);
        reservationsLag = marks.find((mark) => mark.name === 'inventory-on-orders')!.lag;
      },
      30_000,
      50,
    );
    expect(reservationsLag).toBeGreaterThan(backlogOrders / 2);

    const firstExit = await stop(first);
    const firstOutput = first.output();
    expect({ code: firstExit.code, signal: firstExit.signal }).toEqual({ code: 0, signal: null });
    expect(firstExit.ms).toBeLessThan(contractStopMs);
    expect(firstOutput).toMatch(/"msg":"system stopped"/);
    process.stdout.write(`SIGTERM with ${reservationsLag} events behind: exit 0 after ${firstExit.ms} ms; ${/"stopMs":\{[^}]*\}/.exec(firstOutput)?.[0]}\n`);

    // The checkpoints were saved, in the middle of the backlog.
    const store = SqliteEventStore.open({ filename: eventStoreFile(dataDir) });
    try {
      const saved = await store.checkpoints.load('inventory-on-orders');
      const head = await store.headCheckpoint({ kind: 'category', category: 'Order' });
      expect(saved).toBeGreaterThan(0n);
      expect(saved!).toBeLessThan(head);
    } finally {
      await store.close();
    }

    // Second life, on the same data: the backlog is taken up to the end.
    const second = await start({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    let previous = '';
    await eventually(
      async () => {
        for (const status of ['PENDING', 'CONFIRMED', 'PAID']) {
          const { items } = (await adminGet(second, `/api/orders?status=${status}&limit=1`)) as { items: unknown[] };
          if (items.length > 0) throw new Error(`orders still ${status}`);
        }
        const subscriptions = (await adminGet(second, '/api/admin/subscriptions')).items as Mark[];
        const projections = (await adminGet(second, '/api/admin/projections')).items as Mark[];
        const behind = [...subscriptions, ...projections].filter((mark) => mark.lag > 0);
        if (behind.length > 0) throw new Error(`behind: ${behind.map((mark) => `${mark.name} (${mark.lag})`).join(', ')}`);
        // Twice in a row at the same marks: nothing was between two steps.
        const marks = JSON.stringify([...subscriptions, ...projections].map((mark) => mark.checkpoint ?? mark.position));
        if (marks !== previous) {
          previous = marks;
          throw new Error('caught up; checking it stays so');
        }
      },
      90_000,
      250,
    );
    const secondExit = await stop(second);
    expect({ code: secondExit.code, signal: secondExit.signal }).toEqual({ code: 0, signal: null });

    // The store itself: every order settled SHIPPED, each step of its happy path exactly once.
    const events = await readStore({ DATA_DIR: dataDir, EVENT_STORE: 'sqlite' });
    const verdict = checkStore(events, { orders: orderIds });
    expect(verdict.violations.slice(0, 10)).toEqual([]);
    const notShipped = orderIds.filter((orderId) => verdict.statuses.get(orderId) !== 'SHIPPED');
    expect(notShipped.slice(0, 10)).toEqual([]);
    const counts = new Map<string, Map<string, number>>();
    for (const event of events) {
      const orderId = String(event.metadata.correlationId);
      const perType = counts.get(orderId) ?? new Map<string, number>();
      perType.set(event.type, (perType.get(event.type) ?? 0) + 1);
      counts.set(orderId, perType);
    }
    const notOnce = orderIds.filter((orderId) => happyPath.some((type) => counts.get(orderId)?.get(type) !== 1));
    expect(notOnce.slice(0, 10)).toEqual([]);
    expect(verdict.statuses.size).toBe(backlogOrders);
  }, 180_000);

  /** A raw HTTP/1.1 connection, to hold a request in flight: `Expect: 100-continue` tells when the server has it. */
  const rawRequest = (port: number, head: string) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nConnection: keep-alive\r\n\r\n`);
    return {
      socket,
      received: () => received,
      continued: eventually(() => expect(received).toMatch(/^HTTP\/1\.1 100 Continue/), 10_000),
      closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
    };
  };
  const portOf = (server: ServerProcess) => Number(new URL(server.baseUrl).port);
  const orderBody = JSON.stringify({
    customerId: 'cust_in_flight',
    items: [{ sku: 'INFLIGHT-1', quantity: 1 }],
    shippingAddress: { street: '1 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
  });
  const createProduct = async (server: ServerProcess) => {
    const created = await fetch(`${server.baseUrl}/api/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'INFLIGHT-1', name: 'In flight', price: 3, initialStock: 10 }),
    });
    expect(created.status).toBe(201);
  };

  /** Half a body, never the rest: the request stays in flight until the server gives up on it. */
  const stuckHalfwayThroughItsBody = async (server: ServerProcess) => {
    const request = rawRequest(portOf(server), 'POST /api/orders HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 4096');
    await request.continued;
    request.socket.write(orderBody.slice(0, 20));
    return request;
  };

  it('finishes a request in flight, closes its keep-alive connection after the answer, and exits 0 without waiting for the deadline', async () => {
    const server = await start({ DATA_DIR: newDataDir() });
    await createProduct(server);
    const request = rawRequest(
      portOf(server),
      `POST /api/orders HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(orderBody)}`,
    );
    await request.continued;
    const exit = terminate(server.child, server.exited());
    // The rest of the body once the server is stopping: the answer tells the client that the connection ends with it.
    await eventually(() => expect(server.output()).toMatch(/"msg":"shutting down"/));
    request.socket.write(orderBody);
    await request.closed;
    expect(request.received()).toMatch(/HTTP\/1\.1 201 Created/);
    expect(request.received()).toMatch(/\r\nconnection: close\r\n/i);
    const { code, signal, ms } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(contractStopMs);
    expect(server.output()).not.toMatch(/closing the connections still open/);
  }, 60_000);

  it('closes, at its deadline, a connection whose request never completes, and still exits 0 within 10 s', async () => {
    const server = await start({ DATA_DIR: newDataDir() });
    await createProduct(server);
    const request = await stuckHalfwayThroughItsBody(server);
    const { code, signal, ms } = await terminate(server.child, server.exited());
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(contractStopMs);
    expect(server.output()).toMatch(/closing the connections still open/);
    await request.closed;
  }, 60_000);

  it('exits 0 within 10 s with a client stuck in the middle of a request body and event streams open at once', async () => {
    const server = await start({ DATA_DIR: newDataDir() });
    await createProduct(server);
    const status = await openSse(`${server.baseUrl}/api/admin/projections/stream`, { authorization: `Bearer ${adminToken}` });
    const log = await openSse(`${server.baseUrl}/api/events/stream`, { authorization: `Bearer ${adminToken}` });
    const request = await stuckHalfwayThroughItsBody(server);
    const { code, signal, ms } = await terminate(server.child, server.exited());
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(contractStopMs);
    await Promise.all([log.ended, status.ended, request.closed]);
  }, 60_000);

  it('stops cleanly on a SIGTERM during the start-up', async () => {
    const port = await freePort();
    // No ADMIN_TOKEN: the line that prints the generated one comes once the signal handlers are in place.
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'main.ts')], {
      env: { ...process.env, DATA_DIR: newDataDir(), PORT: String(port), LOG_LEVEL: 'info' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await eventually(() => expect(output).toMatch(/generated one for this run/), 20_000);
    const { code, signal, ms } = await terminate(child, exited);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(contractStopMs);
    expect(output).toMatch(/"msg":"stopped"/);
  }, 60_000);
});
