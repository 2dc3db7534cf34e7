import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSse } from '../support/sse-client';
import { startServerProcess } from '../support/server-process';

const adminToken = 'streams-sigterm-admin-token-0123456789';

/**
 * CONTRACT §6 and §4: SIGTERM ends the open event streams at once, so that they hold no request
 * open until the server's 5 s deadline closes their connections: the stop is clean, and exits 0.
 */
describe('event streams on SIGTERM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'streams-sigterm-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('ends every open stream cleanly and exits 0, without forcing any connection closed', async () => {
    const server = await startServerProcess({ EVENT_STORE: 'sqlite', DATA_DIR: dataDir, ADMIN_TOKEN: adminToken });
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    await fetch(`${server.baseUrl}/api/products`, { method: 'POST', headers, body: JSON.stringify({ sku: 'TERM-1', name: 'T', price: 1, initialStock: 5 }) });
    const placed = await fetch(`${server.baseUrl}/api/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        customerId: 'c',
        items: [{ sku: 'TERM-1', quantity: 1 }],
        shippingAddress: { street: 's', city: 'c', zip: '1', country: 'US' },
      }),
    });
    const { orderId } = (await placed.json()) as { orderId: string };
    const order = await openSse(`${server.baseUrl}/api/orders/${orderId}/stream`);
    const log = await openSse(`${server.baseUrl}/api/events/stream`, { authorization: `Bearer ${adminToken}` });
    await order.waitFor((message) => message.event === 'OrderPlaced');
    await log.waitFor((message) => message.event === 'OrderPlaced');

    server.child.kill('SIGTERM');
    await Promise.all([order.ended, log.ended]);
    const { code } = await server.exited();
    expect(code).toBe(0);
    expect(server.output()).not.toMatch(/closing the connections still open/);
  });
});
