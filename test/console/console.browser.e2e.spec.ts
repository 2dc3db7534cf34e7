import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ContainerModule } from 'inversify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { systemModules } from '../../src/container';
import { createApp } from '../../src/http/create-app';
import type { ChargeRequest, PaymentGateway } from '../../src/modules/payments/application/payment-gateway.port';
import { SimulatedPaymentGateway } from '../../src/modules/payments/application/simulated-payment-gateway';
import { PaymentsTokens } from '../../src/modules/payments/payments.tokens';
import type { Projection } from '../../src/shared/read-models/projection';
import { ProjectionCatalog } from '../../src/shared/read-models/projection-catalog';
import { eventually } from '../../src/shared/testing/eventually';
import { SharedTokens } from '../../src/shared/tokens';
import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { adminToken, startTestSystem, type TestSystem } from '../support/test-system';

/**
 * The console in a real browser: Debian's chromium driven by playwright-core (no browser is ever
 * downloaded), against the whole system behind a real HTTP server. Screenshots land in
 * test-results/console/. Without /usr/bin/chromium the suite is skipped and says how to install it
 * (.ci/run installs it, so CI always runs it).
 */
const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const screenshots = join(__dirname, '..', '..', 'test-results', 'console');

/** A real gateway that can be switched off: every charge fails while it is down, so the payment is dead-lettered. */
class SwitchableGateway implements PaymentGateway {
  down = false;
  private readonly inner = new SimulatedPaymentGateway({ declineRate: 0, delayMs: 400 });
  async charge(request: ChargeRequest) {
    if (this.down) throw new Error('payment provider unreachable');
    return this.inner.charge(request);
  }
  refund: PaymentGateway['refund'] = (request) => this.inner.refund(request);
}

if (!haveChromium) {
  console.log(`console browser suite skipped: ${chromiumPath} is missing; install it with \`apt-get install -y chromium\``);
}

(haveChromium ? describe : describe.skip)('the console in a browser (CONTRACT §6)', () => {
  let t: TestSystem;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const gateway = new SwitchableGateway();
  const userDataDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    t = await startTestSystem(
      { RETRY_BASE_DELAY_MS: '1', SAGA_TIMEOUT_MS: '600000' },
      { modules: [...systemModules, new ContainerModule(({ rebind }) => void rebind(PaymentsTokens.PaymentGateway).toConstantValue(gateway))] },
    );
    server = createServer(createApp(t.system));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1360, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    await createProduct(t, 'WIDGET-001', 1000, 29.99);
    await createProduct(t, 'GADGET-002', 1000, 49.99);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await t?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('loads with nothing from outside the service, takes the token once, and shows an order placed live, moving to its final status', async () => {
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) outside.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/console`);
    await page.getByText('Type the admin token above').waitFor();
    await page.fill('#token', adminToken);
    await page.click('#token-form button[type=submit]');
    await page.locator('#process-managers table').waitFor();
    await page.locator('#live.on').waitFor();

    const orderId = await placeOrder(t, [{ sku: 'WIDGET-001', quantity: 2 }, { sku: 'GADGET-002', quantity: 1 }]);
    const row = page.locator(`tr[data-order-id="${orderId}"]`);
    await row.waitFor();
    await row.locator('.badge', { hasText: 'SHIPPED' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });

    // The token is kept for the session: a new page of the tab needs no typing.
    await page.reload();
    await page.locator(`tr[data-order-id="${orderId}"] .badge`, { hasText: 'SHIPPED' }).waitFor();
    await page.click('.filters button[data-status="CANCELLED"]');
    await eventually(async () => expect(await page.locator(`tr[data-order-id="${orderId}"]`).count()).toBe(0));
    await page.click('.filters button[data-status=""]');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("draws an order's timeline as it grows live to OrderShipped, with its state after each event and its saga", async () => {
    const orderId = await placeOrder(t, [{ sku: 'WIDGET-001', quantity: 1 }]);
    await page.goto(`${base}/console/orders/${orderId}`);
    await page.locator('#diagram svg').waitFor();
    await page.locator('#diagram svg', { hasText: 'OrderShipped' }).waitFor({ timeout: 10_000 });
    for (const participant of ['Orders', 'Inventory', 'Payments', 'Shipments']) {
      expect(await page.locator('#diagram svg').textContent()).toContain(participant);
    }
    const shipped = page.locator('#events tr', { hasText: 'OrderShipped' });
    await shipped.locator('.order-after .badge', { hasText: 'SHIPPED' }).waitFor();
    await page.locator('#events tr', { hasText: 'OrderConfirmed' }).locator('.order-after .badge', { hasText: 'CONFIRMED' }).waitFor();
    await page.locator('#saga [data-step="shipping"] .badge', { hasText: 'completed' }).waitFor();
    await page.locator('#deadline').waitFor();
    await page.locator('#events tr', { hasText: 'OrderPaid' }).click();
    await page.locator('pre.state', { hasText: '"status": "PAID"' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'order-shipped.png'), fullPage: true });
  });

  it('marks the compensations of a cancelled order', async () => {
    gateway.down = false;
    const orderId = await placeOrder(t, [{ sku: 'GADGET-002', quantity: 1 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    const cancelled = await placeOrder(t, [{ sku: 'WIDGET-001', quantity: 1 }]);
    await t.http().post(`/api/orders/${cancelled}/cancel`).send({ reason: 'changed my mind' });
    await page.goto(`${base}/console/orders/${cancelled}`);
    await page.locator('#events tr.comp', { hasText: 'InventoryReleased' }).waitFor();
    await page.locator('#diagram svg', { hasText: 'compensation' }).waitFor();
    // The saga panel names each compensation and its time, in the saga view's words (eventType, occurredAt).
    await page.locator('#saga', { hasText: /InventoryReleased at \d/ }).waitFor();
    await page.screenshot({ path: join(screenshots, 'order-cancelled.png'), fullPage: true });
  });

  it('retries a dead letter in one click', async () => {
    gateway.down = true;
    const orderId = await placeOrder(t, [{ sku: 'WIDGET-001', quantity: 1 }]);
    await eventually(async () => expect((await t.admin().get('/api/admin/dead-letters')).body.items).toHaveLength(1));
    await page.goto(`${base}/console`);
    const retry = page.locator('#dead-letters button', { hasText: 'Retry' });
    await retry.waitFor();
    await page.screenshot({ path: join(screenshots, 'dead-letter.png'), fullPage: true });
    gateway.down = false;
    await retry.click();
    await page.getByText('None: every event was handled.').waitFor();
    await eventuallyStatus(t, orderId, 'SHIPPED');
    await page.locator(`tr[data-order-id="${orderId}"] .badge`, { hasText: 'SHIPPED' }).waitFor();
  });

  it('rebuilds a read model from its button, showing its progress until it is live again, with no polling', async () => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(`${base}/console`);
    const orders = page.locator('#read-models tr[data-read-model="orders"]');
    await orders.locator('button', { hasText: 'Rebuild' }).click();
    await orders.locator('.badge', { hasText: 'live' }).waitFor();
    const [item] = (await t.admin().get('/api/admin/projections')).body.items.filter((entry: { name: string }) => entry.name === 'orders');
    expect(item.status).toBe('live');

    // A rebuild that another process runs, held still so that its progress can be watched: it comes over the status stream.
    const db = t.system.container.get<Database.Database>(SharedTokens.ReadModelDatabase);
    const projection = t.system.container.getAll<Projection>(SharedTokens.Projections).find((candidate) => candidate.name === 'orders')!;
    const catalog = new ProjectionCatalog(db);
    const owner = '4242@another-host#console-test';
    catalog.claimRebuild(projection, owner, () => false);
    await orders.locator('.badge', { hasText: 'rebuilding' }).waitFor();
    const head = await t.system.eventStore.headCheckpoint({ kind: 'category', category: projection.category });
    catalog.saveRebuildCheckpoint('orders', owner, head / 2n);
    await eventually(async () => expect(await orders.locator('.progress > div').getAttribute('style')).toMatch(/width:(4|5)\d(\.\d+)?%/));
    await page.screenshot({ path: join(screenshots, 'read-models.png'), fullPage: true });
    catalog.abandon('orders', owner);
    await orders.locator('.badge', { hasText: 'live' }).waitFor();
    // The list was read once, at the load; everything after came from the streams.
    expect(requests.filter((path) => path === '/api/admin/projections')).toHaveLength(1);
    expect(requests).toContain('/api/admin/projections/stream');
    page.removeAllListeners('request');
  });
});
