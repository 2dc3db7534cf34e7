import { eventually } from '../../src/shared/testing/eventually';
import { createProduct, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

/** The value of one sample line of the Prometheus text, or undefined when it is not there. */
const sample = (text: string, name: string, labels: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('GET /metrics', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t.stop());

  const scrape = async () => {
    const response = await t.http().get('/metrics');
    expect(response.status).toBe(200);
    return response.text;
  };

  it('serves the Prometheus text format to anyone, with the process metrics', async () => {
    const response = await t.http().get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toContain('# TYPE order_platform_process_cpu_seconds_total counter');
  });

  it('counts requests by route pattern and status, never by the raw path', async () => {
    const missing = '0193f0a2-0000-7000-8000-000000000000';
    await t.http().get(`/api/orders/${missing}`).expect(404);
    await t.http().get(`/api/orders/${missing}`).expect(404);
    await t.http().get('/no/such/route').expect(404);
    const text = await scrape();
    expect(sample(text, 'order_platform_http_requests_total', 'method="GET",route="/api/orders/:orderId",status="404"')).toBe(2);
    expect(sample(text, 'order_platform_http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(text).not.toContain(missing);
    expect(sample(text, 'order_platform_http_request_duration_seconds_count', 'method="GET",route="/api/orders/:orderId"')).toBe(2);
  });

  it('shows every process manager and read model, with no lag once an order has settled', async () => {
    await createProduct(t, 'METRICS-1', 5);
    await eventuallyStatus(t, await placeOrder(t, [{ sku: 'METRICS-1', quantity: 1 }]), 'SHIPPED');
    await eventually(async () => {
      const text = await scrape();
      for (const subscription of ['orders-on-inventory', 'payments-on-orders', 'shipments-on-orders', 'inventory-on-orders']) {
        expect(sample(text, 'order_platform_subscription_lag_events', `subscription="${subscription}"`)).toBe(0);
        expect(sample(text, 'order_platform_subscription_dead_letters', `subscription="${subscription}"`)).toBe(0);
      }
      for (const readModel of ['orders', 'products', 'payments', 'shipments']) {
        expect(sample(text, 'order_platform_read_model_lag_events', `read_model="${readModel}"`)).toBe(0);
        expect(sample(text, 'order_platform_read_model_rebuilding', `read_model="${readModel}"`)).toBe(0);
      }
    });
  });
});

describe('GET /metrics while the store cannot be reached', () => {
  it('still serves the process and HTTP metrics, those of its own app', async () => {
    const t = await startTestSystem();
    try {
      t.system.processManagers.status = () => Promise.reject(new Error('store unreachable'));
      const response = await t.http().get('/metrics');
      expect(response.status).toBe(200);
      expect(response.text).toContain('order_platform_process_cpu_seconds_total');
      // A second app in the process: the process's metrics are shared, its request counts are its own.
      expect(response.text).not.toContain('route="/api/orders/:orderId"');
    } finally {
      await t.stop();
    }
  });
});
