import { v7 as uuid } from 'uuid';
import type { PaymentCommands, PaymentOutcome } from '../../src/modules/payments/application/payment-commands';
import { PaymentsTokens } from '../../src/modules/payments/payments.tokens';
import type { TestSystem } from '../support/test-system';
import { startPaymentsTestSystem } from './payments-test-system';

const expectProblem = (response: { status: number; headers: Record<string, string>; body: unknown }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
};

describe('payments API', () => {
  let t: TestSystem;
  let payments: PaymentCommands;

  /** Pays through the application service (the saga's way in), then lets the read model catch up. */
  const pay = async (orderId: string, amount: number, token = 'tok_visa') =>
    settle(await payments.processPayment({ orderId, amount, token }));
  const settle = async (outcome: PaymentOutcome) => {
    if (!outcome.ok) throw new Error(outcome.rejection.reason);
    if (outcome.position !== undefined) expect(await t.system.projections.waitFor('payments', outcome.position)).toBe(true);
    return outcome.payment;
  };

  beforeEach(async () => {
    t = await startPaymentsTestSystem();
    payments = t.system.container.get<PaymentCommands>(PaymentsTokens.PaymentCommands);
  });
  afterEach(() => t.stop());

  describe('GET /api/payments/:paymentId', () => {
    it('answers a processed payment', async () => {
      const orderId = uuid();
      const payment = await pay(orderId, 60.07);
      const response = await t.admin().get(`/api/payments/${payment.paymentId}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        paymentId: payment.paymentId,
        orderId,
        amount: 60.07,
        status: 'PROCESSED',
        transactionId: expect.stringMatching(/^txn_/),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('answers a failed payment with its reason', async () => {
      const payment = await pay(uuid(), 5, 'tok_chargeDeclined');
      const response = await t.admin().get(`/api/payments/${payment.paymentId}`);
      expect(response.body).toMatchObject({ status: 'FAILED', reason: 'card_declined', amount: 5 });
      expect(response.body.transactionId).toBeUndefined();
    });

    it('answers a refunded payment with the refund reason', async () => {
      const orderId = uuid();
      const payment = await pay(orderId, 12.3);
      await settle(await payments.refundPayment({ orderId, reason: 'order cancelled' }));
      const response = await t.admin().get(`/api/payments/${payment.paymentId}`);
      expect(response.body).toMatchObject({ status: 'REFUNDED', reason: 'order cancelled', amount: 12.3 });
      expect(response.body.updatedAt >= response.body.createdAt).toBe(true);
    });

    it.each([uuid(), 'not-a-uuid', 'track', '..%2f..%2fetc'])('answers 404 problem+json for %s', async (paymentId) => {
      expectProblem(await t.admin().get(`/api/payments/${paymentId}`), 404);
    });
  });

  describe('GET /api/payments?orderId=', () => {
    it("finds an order's payment", async () => {
      const orderId = uuid();
      const payment = await pay(orderId, 1);
      await pay(uuid(), 2);
      const response = await t.admin().get(`/api/payments?orderId=${orderId}`);
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([expect.objectContaining({ paymentId: payment.paymentId, orderId, amount: 1 })]);
    });

    it('answers an empty list for an order without a payment', async () => {
      const response = await t.admin().get(`/api/payments?orderId=${uuid()}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [] });
    });

    it.each(['', '?orderId=', '?orderId=not-a-uuid', `?orderId=${uuid()}&orderId=${uuid()}`, `?orderId=${uuid()}&status=FAILED`])(
      'answers 400 problem+json with errors[] to %p',
      async (query) => {
        const response = await t.admin().get(`/api/payments${query}`);
        expectProblem(response, 400);
        expect(response.body.errors.length).toBeGreaterThan(0);
      },
    );
  });

  it.each(['/api/payments?orderId=0193f0a2-0000-7000-8000-000000000000', `/api/payments/${uuid()}`])(
    'answers %s 401 without the admin token or with a wrong one',
    async (url) => {
      expectProblem(await t.http().get(url), 401);
      expectProblem(await t.http().get(url).set('Authorization', 'Bearer wrong-token-wrong-token'), 401);
      expectProblem(await t.http().get(url).set('Authorization', 'Basic dGVzdDp0ZXN0'), 401);
    },
  );

  it('takes PAYMENT_DECLINE_RATE from the configuration', async () => {
    await t.stop();
    t = await startPaymentsTestSystem({ PAYMENT_DECLINE_RATE: '1' });
    payments = t.system.container.get<PaymentCommands>(PaymentsTokens.PaymentCommands);
    const payment = await pay(uuid(), 1, 'tok_visa');
    expect((await t.admin().get(`/api/payments/${payment.paymentId}`)).body).toMatchObject({ status: 'FAILED', reason: 'card_declined' });
  });

  it('documents exactly the routes it serves, admin routes with the bearer token', async () => {
    const { body } = await t.http().get('/api/openapi.json');
    const paths = Object.fromEntries(
      Object.entries(body.paths as Record<string, Record<string, { security?: unknown }>>).filter(([path]) => path.startsWith('/api/payments')),
    );
    expect(Object.keys(paths).sort()).toEqual(['/api/payments', '/api/payments/{paymentId}']);
    for (const methods of Object.values(paths)) expect(methods.get!.security).toEqual([{ adminToken: [] }]);
    expect(body.components.schemas.Payment.properties.status.enum).toEqual(['PROCESSED', 'FAILED', 'REFUNDED']);
  });
});
