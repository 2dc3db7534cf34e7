import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../../src/shared/testing/eventually';
import { type ServerProcess, startServerProcess } from '../support/server-process';

jest.setTimeout(60_000);

const adminToken = 'otlp-test-admin-token-0123456789';
const address = { street: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' };

/** A stand-in OpenTelemetry collector: it keeps the bodies POSTed to /v1/traces (OTLP/HTTP, JSON). */
describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const received: string[] = [];
  let collector: Server;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        if (request.method === 'POST' && request.url === '/v1/traces') received.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    if (server !== undefined && server.child.exitCode === null) server.child.kill('SIGKILL');
    await new Promise((resolve) => collector.close(resolve));
  });

  it("sends the saga's spans to the collector, and the last ones on SIGTERM", async () => {
    const { port } = collector.address() as AddressInfo;
    server = await startServerProcess({
      EVENT_STORE: 'memory',
      ADMIN_TOKEN: adminToken,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    const post = (path: string, body: unknown) =>
      fetch(`${server!.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify(body) });
    expect((await post('/api/products', { sku: 'OTLP-1', name: 'Widget', price: 2, initialStock: 10 })).status).toBe(201);
    const { orderId } = (await (await post('/api/orders', { customerId: 'cust_otlp', items: [{ sku: 'OTLP-1', quantity: 1 }], shippingAddress: address })).json()) as {
      orderId: string;
    };
    await eventually(async () => expect(((await (await fetch(`${server!.baseUrl}/api/orders/${orderId}`)).json()) as { status: string }).status).toBe('SHIPPED'));
    server.child.kill('SIGTERM');
    expect(await server.exited()).toMatchObject({ code: 0 });
    const sent = received.join('\n');
    expect(sent).toContain('POST /api/orders');
    expect(sent).toContain('react shipments-on-orders');
    expect(sent).toContain('order-platform');
    expect(server.output()).toContain('tracing on');
  });
});
