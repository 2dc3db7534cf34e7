import { ContainerModule } from 'inversify';
import { systemModules } from '../../src/container';
import type { ChargeRequest, PaymentGateway } from '../../src/modules/payments/application/payment-gateway.port';
import { SimulatedPaymentGateway } from '../../src/modules/payments/application/simulated-payment-gateway';
import { PaymentsTokens } from '../../src/modules/payments/payments.tokens';
import { eventually } from '../../src/shared/testing/eventually';
import { startTestSystem, type TestSystem } from '../support/test-system';
import { createProduct, eventuallyStatus, placeOrder } from './saga-support';

/** A real gateway behind a switch: while it is down, every call fails as an unreachable provider would. */
class SwitchableGateway implements PaymentGateway {
  down = true;
  calls = 0;
  private readonly inner = new SimulatedPaymentGateway({ declineRate: 0, delayMs: 0 });

  async charge(request: ChargeRequest) {
    this.calls++;
    if (this.down) throw new Error('payment provider unreachable');
    return this.inner.charge(request);
  }

  refund: PaymentGateway['refund'] = (request) => this.inner.refund(request);
}

describe('operating the process managers', () => {
  let t: TestSystem;
  afterEach(() => t.stop());

  it('retries a failing handler 3 times, dead-letters it while other orders go on, and replays it on request', async () => {
    const gateway = new SwitchableGateway();
    const withGateway = new ContainerModule(({ rebind }) => {
      rebind(PaymentsTokens.PaymentGateway).toConstantValue(gateway);
    });
    t = await startTestSystem({ RETRY_BASE_DELAY_MS: '5' }, { modules: [...systemModules, withGateway] });
    await createProduct(t, 'WIDGET-1', 10);
    const stuck = await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }]);

    const letters = await eventually(async () => {
      const response = await t.admin().get('/api/admin/dead-letters');
      expect(response.body.items).toHaveLength(1);
      return response.body.items;
    });
    expect(gateway.calls).toBe(4);
    expect(letters[0]).toMatchObject({ subscription: 'payments-on-orders', eventType: 'OrderConfirmed', error: 'payment provider unreachable', attempts: 4 });
    const subscriptions = (await t.admin().get('/api/admin/subscriptions')).body.items;
    expect(subscriptions.find((item: { name: string }) => item.name === 'payments-on-orders')).toMatchObject({ retries: 3, deadLetters: 1, lag: 0 });

    // The subscription carries on: another order's declined card is handled meanwhile.
    gateway.down = false;
    const other = await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }], 'tok_chargeDeclined');
    await eventuallyStatus(t, other, 'PAYMENT_FAILED');
    expect((await t.http().get(`/api/orders/${stuck}`)).body.status).toBe('CONFIRMED');

    expect((await t.admin().post(`/api/admin/dead-letters/${letters[0].id}/retry`)).status).toBe(202);
    await eventuallyStatus(t, stuck, 'SHIPPED');
    expect((await t.admin().get('/api/admin/dead-letters')).body.items).toEqual([]);
    expect((await t.admin().post(`/api/admin/dead-letters/${letters[0].id}/retry`)).status).toBe(404);
  });

  it('answers a replay that fails again 409 and keeps the letter', async () => {
    const gateway = new SwitchableGateway();
    const withGateway = new ContainerModule(({ rebind }) => {
      rebind(PaymentsTokens.PaymentGateway).toConstantValue(gateway);
    });
    t = await startTestSystem({ RETRY_BASE_DELAY_MS: '1' }, { modules: [...systemModules, withGateway] });
    await createProduct(t, 'WIDGET-1', 10);
    await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }]);
    const [letter] = await eventually(async () => {
      const { body } = await t.admin().get('/api/admin/dead-letters');
      expect(body.items).toHaveLength(1);
      return body.items;
    });
    const replay = await t.admin().post(`/api/admin/dead-letters/${letter.id}/retry`);
    expect(replay.status).toBe(409);
    expect(replay.body.detail).toContain('payment provider unreachable');
    expect((await t.admin().get('/api/admin/dead-letters')).body.items).toHaveLength(1);
  });

  it('lists every process manager with its checkpoint and lag, behind the admin token', async () => {
    t = await startTestSystem();
    await createProduct(t, 'WIDGET-1', 10);
    const orderId = await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    expect((await t.http().get('/api/admin/subscriptions')).status).toBe(401);
    const { body } = await eventually(async () => {
      const response = await t.admin().get('/api/admin/subscriptions');
      for (const item of response.body.items) expect(item.lag).toBe(0);
      return response;
    });
    expect(body.items.map((item: { name: string }) => item.name).sort()).toEqual([
      'inventory-on-orders',
      'inventory-on-shipments',
      'orders-on-inventory',
      'orders-on-payments',
      'orders-on-shipments',
      'payments-on-orders',
      'shipments-on-orders',
    ]);
    for (const item of body.items) expect(item).toEqual({ name: item.name, checkpoint: expect.stringMatching(/^\d+$/), lag: 0, retries: 0, deadLetters: 0 });
  });

  it('answers /ready 503 until every subscription has caught up with the store after start', async () => {
    t = await startTestSystem({}, { autoStart: false });
    await createProduct(t, 'WIDGET-1', 100);
    for (let n = 0; n < 20; n++) await placeOrder(t, [{ sku: 'WIDGET-1', quantity: 1 }]);
    const before = await t.http().get('/ready');
    expect(before.status).toBe(503);
    await t.system.start();
    await eventually(async () => expect((await t.http().get('/ready')).status).toBe(200));
  });
});
