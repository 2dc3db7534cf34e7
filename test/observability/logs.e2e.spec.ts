import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../src/shared/logger';
import { eventually } from '../../src/shared/testing/eventually';
import { address, createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { adminToken, startTestSystem, type TestSystem } from '../support/test-system';

type Line = Record<string, unknown>;

/** The system's real logger (the options `npm start` uses), writing JSON lines into memory. */
const capturingLogger = () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      done();
    },
  });
  return { logger: pino(loggerOptions('info'), stream), lines, parsed: () => lines.map((line) => JSON.parse(line) as Line) };
};

describe('logs of a real saga', () => {
  let t: TestSystem;
  const capture = capturingLogger();
  let orderId: string;

  beforeAll(async () => {
    t = await startTestSystem({}, { logger: capture.logger });
    await createProduct(t, 'LOG-1', 10);
    orderId = await placeOrder(t, [{ sku: 'LOG-1', quantity: 1 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    await t.admin().get(`/api/orders?customerId=cust_saga`).expect(200);
    await t.admin().get(`/api/orders/${orderId}/saga`).expect(200);
    // The last step (OrderShipped's process managers) may log just after the read model shows SHIPPED.
    await eventually(async () => {
      const steps = capture.parsed().filter((line) => line.msg === 'saga step' && line.orderId === orderId);
      if (!steps.some((line) => line.eventType === 'ShipmentCreated')) throw new Error('not all steps logged yet');
    });
  });
  afterAll(() => t.stop());

  it('writes one info line per saga step, with the order, its correlation and causation, the process manager and its duration', () => {
    const steps = capture.parsed().filter((line) => line.msg === 'saga step' && line.orderId === orderId);
    expect(steps.map((line) => line.eventType)).toEqual(expect.arrayContaining(['OrderPlaced', 'InventoryReserved', 'OrderConfirmed', 'PaymentProcessed', 'ShipmentCreated']));
    for (const step of steps) {
      expect(step).toMatchObject({ level: 30, orderId, correlationId: orderId, causationId: expect.any(String), eventId: expect.any(String) });
      expect(step.processManager).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(step.durationMs).toEqual(expect.any(Number));
    }
  });

  it('writes one line per request with method, URL, status and duration, and ISO times', () => {
    const requests = capture.parsed().filter((line) => typeof line.req === 'object');
    const placed = requests.find((line) => line.msg === 'POST /api/orders 201');
    expect(placed).toMatchObject({ level: 30, req: { method: 'POST', url: '/api/orders', id: expect.any(String) }, res: { statusCode: 201 } });
    expect(placed!.durationMs).toEqual(expect.any(Number));
    for (const line of capture.parsed()) expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('logs no personal data and no secret', () => {
    const all = capture.lines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const value of [address.street, address.city, address.zip, 'tok_visa', adminToken, 'cust_saga']) expect(all).not.toContain(value);
    expect(all).toContain('customerId=[redacted]');
  });

  it('logs an error with its cause as an object of its own', () => {
    const own = capturingLogger();
    own.logger.error({ err: new Error('could not charge', { cause: new Error('gateway timed out') }) }, 'payment failed');
    const [line] = own.parsed();
    expect(line).toMatchObject({ level: 50, err: { message: 'could not charge', cause: { message: 'gateway timed out' } } });
  });

  it('redacts tokens and addresses that a log call passes by mistake', () => {
    const own = capturingLogger();
    own.logger.info({ shippingAddress: address, req: { headers: { authorization: `Bearer ${adminToken}` } }, order: { paymentMethod: { token: 'tok_visa' } } }, 'oops');
    expect(own.lines.join('')).not.toMatch(/Main St|tok_visa|test-admin-token/);
  });
});
