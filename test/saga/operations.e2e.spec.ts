import { ContainerModule } from 'inversify';
import { systemModules } from '../../src/container';
import type { ChargeRequest, PaymentGateway } from '../../src/modules/payments/application/payment-gateway.port';
import { SimulatedPaymentGateway } from '../../src/modules/payments/application/simulated-payment-gateway';
import { PaymentsTokens } from '../../src/modules/payments/payments.tokens';
import { eventually } from '../../src/shared/testing/eventually';
import { describeStoreLegs, type StoreLeg } from '../support/store-legs';
import { startTestSystem, type TestSystem } from '../support/test-system';
import { createProduct, deadLettersOf, eventuallyStatus, placeOrder } from './saga-support';
import { processManagerNames } from '../support/process-manager-names';

/** A real gateway behind a switch: while it is down, every call fails as an unreachable provider would. */
class SwitchableGateway implements PaymentGateway {
  down = true;
  private readonly charged: string[] = [];
  private readonly inner = new SimulatedPaymentGateway({ declineRate: 0, delayMs: 0 });

  /** How often it was asked to charge this order. */
  callsFor(orderId: string): number {
    return this.charged.filter((charged) => charged === orderId).length;
  }

  async charge(request: ChargeRequest) {
    this.charged.push(request.orderId);
    if (this.down) throw new Error('payment provider unreachable');
    return this.inner.charge(request);
  }

  refund: PaymentGateway['refund'] = (request) => this.inner.refund(request);
}

interface SubscriptionStatus {
  readonly name: string;
  readonly deadLetters: number;
}

/** Dead letters of each process manager now: none on a new embedded store; on EventStoreDB, what its group has parked so far, in earlier runs too. */
const deadLettersBefore = async (t: TestSystem): Promise<Map<string, number>> =>
  new Map(((await t.admin().get('/api/admin/subscriptions')).body.items as SubscriptionStatus[]).map((item) => [item.name, item.deadLetters]));

const withGateway = (gateway: PaymentGateway) =>
  new ContainerModule(({ rebind }) => {
    rebind(PaymentsTokens.PaymentGateway).toConstantValue(gateway);
  });

describeStoreLegs('operating the process managers', (leg: StoreLeg) => {
  let t: TestSystem;
  /** This test's name for a product (suffixed with a run id on EventStoreDB, which keeps earlier runs' products). */
  let sku: (name: string) => string;
  beforeEach(() => {
    sku = leg.uniqueNames();
  });
  afterEach(() => t?.stop());

  it('retries a failing handler 3 times, dead-letters it while other orders go on, and replays it on request', async () => {
    const gateway = new SwitchableGateway();
    t = await startTestSystem({ ...leg.environment, RETRY_BASE_DELAY_MS: '5' }, { modules: [...systemModules, withGateway(gateway)] });
    const parkedBefore = (await deadLettersBefore(t)).get('payments-on-orders') ?? 0;
    await createProduct(t, sku('WIDGET-1'), 10);
    const stuck = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]);

    const letters = await eventually(async () => {
      const found = await deadLettersOf(t, leg, [stuck]);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(gateway.callsFor(stuck)).toBe(4);
    // EventStoreDB's parked messages do not count how often the handler ran.
    expect(letters[0]).toMatchObject({
      subscription: 'payments-on-orders',
      eventType: 'OrderConfirmed',
      error: 'payment provider unreachable',
      ...(leg.embedded ? { attempts: 4 } : {}),
    });
    await eventually(async () => {
      const subscriptions = (await t.admin().get('/api/admin/subscriptions')).body.items;
      expect(subscriptions.find((item: { name: string }) => item.name === 'payments-on-orders')).toMatchObject({ retries: 3, deadLetters: parkedBefore + 1, lag: 0 });
    });

    // The subscription carries on: another order's declined card is handled meanwhile.
    gateway.down = false;
    const other = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }], 'tok_chargeDeclined');
    await eventuallyStatus(t, other, 'PAYMENT_FAILED');
    expect((await t.http().get(`/api/orders/${stuck}`)).body.status).toBe('CONFIRMED');

    expect((await t.admin().post(`/api/admin/dead-letters/${letters[0]!.id}/retry`)).status).toBe(202);
    await eventuallyStatus(t, stuck, 'SHIPPED');
    expect(await deadLettersOf(t, leg, [stuck, other])).toEqual([]);
    expect((await t.admin().post(`/api/admin/dead-letters/${letters[0]!.id}/retry`)).status).toBe(404);
  });

  /** An order whose payment is dead-lettered: the gateway stays down. */
  const deadLetteredOrder = async (gateway: SwitchableGateway) => {
    t = await startTestSystem({ ...leg.environment, RETRY_BASE_DELAY_MS: '1' }, { modules: [...systemModules, withGateway(gateway)] });
    await createProduct(t, sku('WIDGET-1'), 10);
    const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]);
    const [letter] = await eventually(async () => {
      const found = await deadLettersOf(t, leg, [orderId]);
      expect(found).toHaveLength(1);
      return found;
    });
    return { orderId, letter: letter! };
  };

  // The embedded store runs a replay in the request; EventStoreDB delivers it later, and parks it again as a new letter.
  if (leg.embedded) {
    it('answers a replay that fails again 409 and keeps the letter', async () => {
      const { orderId, letter } = await deadLetteredOrder(new SwitchableGateway());
      const replay = await t.admin().post(`/api/admin/dead-letters/${letter.id}/retry`);
      expect(replay.status).toBe(409);
      expect(replay.body.detail).toContain('payment provider unreachable');
      expect(await deadLettersOf(t, leg, [orderId])).toHaveLength(1);
    });
  } else {
    it('parks a replay that fails again as a new letter', async () => {
      const gateway = new SwitchableGateway();
      const { orderId, letter } = await deadLetteredOrder(gateway);
      const replay = await t.admin().post(`/api/admin/dead-letters/${letter.id}/retry`);
      expect(replay.status).toBe(202);
      expect(replay.body.replaying).toContain(letter.id);
      const [again] = await eventually(async () => {
        const found = await deadLettersOf(t, leg, [orderId]);
        expect(found).toHaveLength(1);
        expect(found[0]!.id).not.toBe(letter.id);
        return found;
      });
      expect(again).toMatchObject({ subscription: 'payments-on-orders', eventType: 'OrderConfirmed', error: 'payment provider unreachable' });
      expect(gateway.callsFor(orderId)).toBe(8);
      expect((await t.http().get(`/api/orders/${orderId}`)).body.status).toBe('CONFIRMED');
    });
  }

  it('lists every process manager with its checkpoint and lag, behind the admin token', async () => {
    t = await startTestSystem(leg.environment);
    const before = await deadLettersBefore(t);
    await createProduct(t, sku('WIDGET-1'), 10);
    const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    expect((await t.http().get('/api/admin/subscriptions')).status).toBe(401);
    const { body } = await eventually(async () => {
      const response = await t.admin().get('/api/admin/subscriptions');
      for (const item of response.body.items) expect(item.lag).toBe(0);
      return response;
    });
    expect(body.items.map((item: { name: string }) => item.name).sort()).toEqual(processManagerNames);
    for (const item of body.items) {
      expect(item).toEqual({ name: item.name, checkpoint: expect.stringMatching(/^\d+$/), lag: 0, retries: 0, deadLetters: before.get(item.name) });
    }
  });

  it('answers /ready 503 until every subscription has caught up with the store after start', async () => {
    t = await startTestSystem(leg.environment, { autoStart: 'read-models' });
    await createProduct(t, sku('WIDGET-1'), 100);
    for (let n = 0; n < 20; n++) await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]);
    const before = await t.http().get('/ready');
    expect(before.status).toBe(503);
    await t.system.start();
    await eventually(async () => expect((await t.http().get('/ready')).status).toBe(200));
  });
});
