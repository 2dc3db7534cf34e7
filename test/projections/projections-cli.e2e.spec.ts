import Database from 'better-sqlite3';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEventId } from '../../src/shared/application/event-ids';
import { eventually } from '../../src/shared/testing/eventually';
import { type ServerProcess, startServerProcess } from '../support/server-process';

jest.setTimeout(120_000);

const adminToken = 'cli-test-admin-token-0123456789';
const cliScript = join(__dirname, '..', '..', 'src', 'cli', 'projections.ts');
const address = { street: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' };

// One story on one data directory: each test goes on from where the one before left it.
describe('npm run projections -- rebuild <name|all>', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'projections-cli-'));
  const children = new Set<ChildProcessWithoutNullStreams>();
  let server: ServerProcess | undefined;
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (server !== undefined && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => cliIn(dataDir, ...args);
  const cliIn = (directory: string, ...args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliScript, ...args], {
      env: { ...process.env, DATA_DIR: directory, LOG_LEVEL: 'warn' },
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, exited };
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server!.baseUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, ...(init.headers ?? {}) },
    });
  const placeOrder = async () => {
    const response = await api('/api/orders', {
      method: 'POST',
      body: JSON.stringify({ customerId: 'cust_cli', items: [{ sku: 'WIDGET-1', quantity: 1 }], shippingAddress: address }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { orderId: string }).orderId;
  };
  const listedOrders = async () => ((await (await api('/api/orders?limit=1000')).json()) as { items: Array<{ orderId: string; status: string }> }).items;
  const readModels = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  const generationOf = (name: string) =>
    readModels((db) => (db.prepare('SELECT generation FROM projection_state WHERE name = ?').get(name) as { generation: number }).generation);

  it('rebuilds a read model while the server runs; the server follows the new copy', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' });
    expect((await api('/api/products', { method: 'POST', body: JSON.stringify({ sku: 'WIDGET-1', name: 'Widget', price: 2, initialStock: 1_000_000 }) })).status).toBe(201);
    const placed = await Promise.all(Array.from({ length: 20 }, placeOrder));
    await eventually(async () => expect((await listedOrders()).filter((order) => order.status === 'SHIPPED')).toHaveLength(20), 20_000);
    const generation = generationOf('orders');

    const rebuilt = await cli('rebuild', 'orders').exited;
    expect(rebuilt).toMatchObject({ code: 0, stdout: expect.stringMatching(/^orders: rebuilt from \d+ events in \d+ ms, swapped in\n$/) });
    expect(generationOf('orders')).toBe(generation + 1);

    const after = await placeOrder();
    await eventually(async () => expect((await listedOrders()).map((order) => order.orderId).sort()).toEqual([...placed, after].sort()), 20_000);
    const status = await eventually(async () => {
      const { items } = (await (await api('/api/admin/projections')).json()) as { items: Array<{ name: string; status: string; lag: number }> };
      expect(items.every((item) => item.status === 'live' && item.lag === 0)).toBe(true);
      return items;
    });
    expect(status.map((item) => item.name)).toEqual(['orders', 'order-catalog', 'payment-deadlines', 'products', 'payments', 'shipments', 'shipped-orders']);

    const listed = await cli('status').exited;
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^orders +v2 +position \d+ +lag 0 +live$/m);
  });

  it('refuses a DATA_DIR that holds no store, saying so, and creates nothing there', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'projections-cli-empty-'));
    try {
      const refused = await cliIn(empty, 'status').exited;
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect(refused.stderr).toContain(`no event store in DATA_DIR=${empty}`);
      expect(readdirSync(empty)).toEqual([]);
      const missing = await cliIn(join(empty, 'nowhere'), 'rebuild', 'all').exited;
      expect(missing.code).toBe(2);
      expect(existsSync(join(empty, 'nowhere'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a wrong command or an unknown read model with exit code 2', async () => {
    expect((await cli('rebuild').exited).code).toBe(2);
    const unknown = await cli('rebuild', 'nope').exited;
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('no read model nope') });
  });

  it('rebuilds every read model while the server is stopped; the server starts on the new copies', async () => {
    const before = await listedOrders();
    server!.child.kill('SIGTERM');
    expect(await server!.exited()).toMatchObject({ code: 0 });
    const generations = ['orders', 'order-catalog', 'payment-deadlines', 'products', 'payments', 'shipments', 'shipped-orders'].map(generationOf);

    const rebuilt = await cli('rebuild', 'all').exited;
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout.trim().split('\n')).toHaveLength(7);
    expect(['orders', 'order-catalog', 'payment-deadlines', 'products', 'payments', 'shipments', 'shipped-orders'].map(generationOf)).toEqual(generations.map((g) => g + 1));

    server = await startServerProcess({ DATA_DIR: dataDir, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' });
    expect(await listedOrders()).toEqual(before);
  });

  it('leaves the old copy serving when the CLI is killed mid-rebuild, and the rebuild can run again', async () => {
    server!.child.kill('SIGTERM');
    await server!.exited();
    // Enough history for the rebuild to take a while: 120,000 more order events.
    const store = SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite') });
    for (let batch = 0; batch < 12; batch++) {
      await Promise.all(
        Array.from({ length: 5000 }, () => {
          const orderId = newEventId();
          const placed = { orderId, customerId: 'cust_bulk', total: 2, currency: 'USD', items: [{ sku: 'WIDGET-1', quantity: 1, unitPrice: 2, lineTotal: 2 }], shippingAddress: address };
          return store.append(
            `Order-${orderId}`,
            [
              { id: newEventId(), type: 'OrderPlaced', data: placed, metadata: { correlationId: orderId } },
              { id: newEventId(), type: 'OrderRejected', data: { orderId, reason: 'bulk' }, metadata: { correlationId: orderId } },
            ],
            'no_stream',
          );
        }),
      );
    }
    await store.close();
    const generation = generationOf('orders');
    const countOrders = () => readModels((db) => (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n);
    const served = countOrders();

    const doomed = cli('rebuild', 'orders');
    await eventually(
      () => expect(readModels((db) => db.prepare('SELECT checkpoint FROM projection_rebuilds WHERE name = ?').get('orders'))).toEqual({ checkpoint: expect.any(Number) }),
      30_000,
      5,
    );
    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(generationOf('orders')).toBe(generation);
    expect(countOrders()).toBe(served);
    const status = await cli('status').exited;
    expect(status.stdout).toMatch(/^orders +v2 +position \d+ +lag \d+ +(live|catching up)$/m);

    const again = await cli('rebuild', 'orders').exited;
    expect(again.code).toBe(0);
    const rebuiltGeneration = generationOf('orders');
    expect(rebuiltGeneration).toBeGreaterThan(generation);
    expect(countOrders()).toBe(served + 60_000);
    // The copy of the killed rebuild was dropped when the next one took over.
    expect(readModels((db) => db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'orders!_!_g%' ESCAPE '!' AND type = 'table'").all())).toEqual([
      { name: `orders__g${rebuiltGeneration}` },
    ]);
  });
});
