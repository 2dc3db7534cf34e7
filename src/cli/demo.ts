/**
 * `npm run demo` (CONTRACT §6): the seeds' console story on the real service. It starts the server
 * on a fresh temporary store, creates a small catalog, places orders that walk every flow of §1,
 * and prints the cascade as it happens from the live log (`GET /api/events/stream`): one line per
 * event with its time, module, type, order and what caused it. Then a table of the final states;
 * exit 0 once every order has settled as its flow says (1 otherwise), in a few seconds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import pino from 'pino';
import { composeSystem, systemModules } from '../container';
import type { ChargeRequest, PaymentGateway } from '../modules/payments/application/payment-gateway.port';
import { SimulatedPaymentGateway } from '../modules/payments/application/simulated-payment-gateway';
import { PaymentsTokens } from '../modules/payments/payments.tokens';
import { loadConfig } from '../shared/config';
import { startServer } from '../server';
import { type DemoEvent, followLog } from './demo-log';

const paymentDelayMs = 600;
const sagaTimeoutMs = 2500;
/** The card of the order that times out: its gateway answers only after the payment deadline has passed. */
const slowToken = 'tok_demoSlowGateway';

/** The simulated gateway of CONTRACT §4, with one card whose answers take longer than the saga allows. */
class DemoGateway implements PaymentGateway {
  private readonly inner = new SimulatedPaymentGateway({ declineRate: 0, delayMs: paymentDelayMs });
  async charge(request: ChargeRequest) {
    if (request.token === slowToken) await new Promise((resolve) => setTimeout(resolve, sagaTimeoutMs * 1.6));
    return this.inner.charge(request);
  }
  refund: PaymentGateway['refund'] = (request) => this.inner.refund(request);
}

interface Flow {
  readonly name: string;
  /** Each flow's orders are placed by a customer of their own, which names the flow in the log. */
  readonly customer: string;
  readonly expected: string;
  readonly items: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
  readonly token?: string;
  /** Cancel once the order is CONFIRMED, i.e. while its payment is in flight. */
  readonly cancelInFlight?: boolean;
}

const flows: readonly Flow[] = [
  { name: 'shipped and delivered', customer: 'cust_delivered', expected: 'DELIVERED', items: [{ sku: 'WIDGET-001', quantity: 2 }, { sku: 'GADGET-002', quantity: 1 }] },
  { name: 'rejected: not enough stock', customer: 'cust_rejected', expected: 'REJECTED', items: [{ sku: 'GADGET-002', quantity: 50 }] },
  { name: 'payment declined', customer: 'cust_declined', expected: 'PAYMENT_FAILED', items: [{ sku: 'WIDGET-001', quantity: 1 }], token: 'tok_chargeDeclined' },
  { name: 'cancelled while paying', customer: 'cust_cancelled', expected: 'CANCELLED', items: [{ sku: 'WIDGET-001', quantity: 1 }], cancelInFlight: true },
  { name: 'timed out', customer: 'cust_timed_out', expected: 'CANCELLED', items: [{ sku: 'GADGET-002', quantity: 1 }], token: slowToken },
];

const settled = new Set(['DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED']);
const moduleOf: Record<string, string> = { Order: 'Orders', Inventory: 'Inventory', Product: 'Inventory', Payment: 'Payments', Shipment: 'Shipments' };
const address = { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };

const main = async (): Promise<number> => {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'order-platform-demo-'));
  const adminToken = randomBytes(24).toString('base64url');
  const config = {
    ...loadConfig({
      EVENT_STORE: 'sqlite',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PAYMENT_DELAY_MS: String(paymentDelayMs),
      SAGA_TIMEOUT_MS: String(sagaTimeoutMs),
      SHIPMENT_AUTO_DISPATCH_MS: '300',
      SHIPMENT_AUTO_DELIVER_MS: '300',
    }),
    ADMIN_TOKEN: adminToken,
  };
  const gateway = new ContainerModule(({ rebind }) => void rebind(PaymentsTokens.PaymentGateway).toConstantValue(new DemoGateway()));
  const system = await composeSystem(config, { logger: pino({ level: 'silent' }), modules: [...systemModules, gateway] });
  const server = await startServer(system, { port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${server.port}`;
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  const labels = new Map<string, string>();
  const statuses = new Map<string, string>();
  const waiters: Array<() => void> = [];
  const elapsed = (at: string) => `+${((Date.parse(at) - started) / 1000).toFixed(2).padStart(5)}s`;
  const print = (event: DemoEvent, cause: string) => {
    const flow = flows.find(({ customer }) => customer === event.payload.customerId);
    if (event.eventType === 'OrderPlaced' && flow !== undefined) labels.set(event.payload.orderId as string, `(${flow.name})`);
    const orderId = typeof event.payload.orderId === 'string' ? event.payload.orderId : undefined;
    const order = orderId === undefined ? '—' : `${orderId.slice(-8)} ${labels.get(orderId) ?? ''}`;
    const module = moduleOf[event.aggregateType] ?? event.aggregateType;
    process.stdout.write(`${elapsed(event.occurredAt)}  ${module.padEnd(9)}  ${event.eventType.padEnd(30)}  ${order.padEnd(38)}  ← ${cause}\n`);
  };
  const log = followLog(`${base}/api/events/stream`, adminToken, (event, cause) => {
    print(event, cause);
    const status = /^Order[A-Z]/.test(event.eventType) ? statusOf(event.eventType) : undefined;
    if (status !== undefined) statuses.set(event.payload.orderId as string, status);
    for (const wake of waiters.splice(0)) wake();
  });
  const until = (done: () => boolean, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => resolve(done()), timeoutMs);
      const check = () => (done() ? (clearTimeout(deadline), resolve(true)) : waiters.push(check));
      check();
    });

  try {
    process.stdout.write(`order platform on ${base} (store: ${dataDir})\n\n`);
    process.stdout.write(`${'time'.padEnd(8)}  ${'module'.padEnd(9)}  ${'event'.padEnd(30)}  ${'order'.padEnd(38)}  ← caused by\n`);
    await post('/api/products', { sku: 'WIDGET-001', name: 'Premium Widget', price: 29.99, initialStock: 100 }, admin);
    await post('/api/products', { sku: 'GADGET-002', name: 'Super Gadget', price: 49.99, initialStock: 10 }, admin);
    const orders: Array<{ readonly flow: Flow; readonly orderId: string }> = [];
    for (const flow of flows) {
      const body = { customerId: flow.customer, items: flow.items, shippingAddress: address, ...(flow.token ? { paymentMethod: { token: flow.token } } : {}) };
      const order = await post('/api/orders', body);
      const orderId = order.orderId as string;
      orders.push({ flow, orderId });
    }
    for (const { flow, orderId } of orders) {
      if (!flow.cancelInFlight) continue;
      await until(() => statuses.get(orderId) === 'CONFIRMED', 5000);
      await post(`/api/orders/${orderId}/cancel`, { reason: 'changed my mind while paying' });
    }
    const refundsDone = () =>
      orders.every(({ orderId }) => settled.has(statuses.get(orderId) ?? '')) &&
      log.types(orders.find(({ flow }) => flow.token === slowToken)!.orderId).includes('PaymentRefunded') &&
      log.types(orders.find(({ flow }) => flow.cancelInFlight === true)!.orderId).includes('PaymentRefunded');
    await until(refundsDone, 20_000);

    process.stdout.write('\nfinal states\n');
    process.stdout.write(`${'order'.padEnd(10)}  ${'flow'.padEnd(28)}  ${'status'.padEnd(15)}  ${'reason'.padEnd(28)}  events\n`);
    let ok = true;
    for (const { flow, orderId } of orders) {
      const order = (await (await fetch(`${base}/api/orders/${orderId}`)).json()) as { status: string; reason?: string };
      const right = order.status === flow.expected;
      ok &&= right;
      process.stdout.write(
        `${orderId.slice(-8).padEnd(10)}  ${flow.name.padEnd(28)}  ${order.status.padEnd(15)}  ${(order.reason ?? '').padEnd(28)}  ${log.types(orderId).length}${right ? '' : `  (expected ${flow.expected})`}\n`,
      );
    }
    process.stdout.write(`\n${ok ? 'every flow ended as CONTRACT §1 says' : 'SOME FLOWS DID NOT END AS EXPECTED'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return ok ? 0 : 1;
  } finally {
    log.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const statusOf = (type: string): string | undefined =>
  ({
    OrderPlaced: 'PENDING',
    OrderConfirmed: 'CONFIRMED',
    OrderRejected: 'REJECTED',
    OrderPaid: 'PAID',
    OrderPaymentFailed: 'PAYMENT_FAILED',
    OrderShipped: 'SHIPPED',
    OrderDelivered: 'DELIVERED',
    OrderCancelled: 'CANCELLED',
  })[type];

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
