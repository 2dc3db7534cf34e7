import { createEventStore } from '../../src/event-store/create-event-store';
import type { EventStore } from '../../src/event-store/event-store.port';
import { PaymentCommands } from '../../src/modules/payments/application/payment-commands';
import { declineDraw, SimulatedPaymentGateway } from '../../src/modules/payments/application/simulated-payment-gateway';
import type { RecordedPayment } from '../../src/modules/payments/domain/payment';
import { CommandHandler } from '../../src/shared/application/command-handler';
import { loadConfig } from '../../src/shared/config';
import { RecordingPaymentGateway } from './recording-payment-gateway';
import { paymentIdFor, paymentStream } from '../../src/modules/payments/application/payment-stream';

/** The payments application on the real embedded store (SQLite :memory:), with the simulated gateway behind a recorder. */
const setUp = async (options: { declineRate?: number; delayMs?: number } = {}) => {
  const store = await createEventStore(loadConfig({ EVENT_STORE: 'memory' }));
  const gateway = new RecordingPaymentGateway(new SimulatedPaymentGateway({ declineRate: 0, delayMs: 0, ...options }));
  const commands = new PaymentCommands(new CommandHandler(store), gateway);
  return { store, gateway, commands };
};

const eventsOf = async (store: EventStore, orderId: string) =>
  (await store.readStream(paymentStream(paymentIdFor(orderId)))).map(({ type, data }) => ({ type, data }));

const transactionIdOf = (payment: RecordedPayment): string => ('transactionId' in payment ? payment.transactionId : '');

const expectOk = <T extends { ok: boolean }>(outcome: T): Extract<T, { ok: true }> => {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<T, { ok: true }>;
};

describe('payment commands', () => {
  let store: EventStore;
  let gateway: RecordingPaymentGateway;
  let commands: PaymentCommands;
  const stores: EventStore[] = [];

  const use = async (options: { declineRate?: number; delayMs?: number } = {}) => {
    ({ store, gateway, commands } = await setUp(options));
    stores.push(store);
  };

  beforeEach(() => use());
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((opened) => opened.close()));
  });

  describe('processPayment', () => {
    it('charges the order once and records PaymentProcessed in Payment-<paymentId>, correlated to the order', async () => {
      const outcome = expectOk(await commands.processPayment({ orderId: 'order-1', amount: 60.07, token: 'tok_visa' }));
      const paymentId = paymentIdFor('order-1');
      expect(outcome.payment).toEqual({
        status: 'PROCESSED',
        paymentId,
        orderId: 'order-1',
        amountCents: 6007,
        transactionId: expect.stringMatching(/^txn_/),
      });
      expect(gateway.charges).toEqual([{ paymentId, orderId: 'order-1', amountCents: 6007, token: 'tok_visa' }]);
      const [recorded] = await store.readStream(paymentStream(paymentId));
      expect(recorded).toMatchObject({
        type: 'PaymentProcessed',
        data: { orderId: 'order-1', paymentId, amount: 60.07, transactionId: transactionIdOf(outcome.payment) },
        metadata: { correlationId: 'order-1', causationId: expect.any(String) },
      });
    });

    it('charges at most once per order, even when 50 calls for it race', async () => {
      await use({ delayMs: 20 });
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => commands.processPayment({ orderId: 'order-race', amount: 10, token: 'tok_visa' })),
      );
      expect(gateway.charges).toHaveLength(1);
      expect(new Set(outcomes.map((outcome) => JSON.stringify(expectOk(outcome).payment))).size).toBe(1);
      expect((await eventsOf(store, 'order-race')).map((event) => event.type)).toEqual(['PaymentProcessed']);
    });

    it('records one outcome when two processes charge the same order (the payment id is the idempotency key)', async () => {
      const shared = new SimulatedPaymentGateway({ declineRate: 0, delayMs: 5 });
      const processes = [new PaymentCommands(new CommandHandler(store), shared), new PaymentCommands(new CommandHandler(store), shared)];
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, n) => processes[n % 2]!.processPayment({ orderId: 'order-two', amount: 10, token: 'tok_visa' })),
      );
      expect(new Set(outcomes.map((outcome) => JSON.stringify(expectOk(outcome).payment))).size).toBe(1);
      expect((await eventsOf(store, 'order-two')).map((event) => event.type)).toEqual(['PaymentProcessed']);
    });

    it('answers an order already charged from its stream, without asking the gateway again', async () => {
      const first = await commands.processPayment({ orderId: 'order-1', amount: 10, token: 'tok_visa' });
      const again = await commands.processPayment({ orderId: 'order-1', amount: 99, token: 'tok_chargeDeclined' });
      expect(again).toEqual({ ...first, position: undefined });
      expect(gateway.charges).toHaveLength(1);
      expect(await eventsOf(store, 'order-1')).toHaveLength(1);
    });

    it('records PaymentFailed with card_declined for tok_chargeDeclined, and does not ask again', async () => {
      const outcome = expectOk(await commands.processPayment({ orderId: 'order-1', amount: 5.5, token: 'tok_chargeDeclined' }));
      expect(outcome.payment).toMatchObject({ status: 'FAILED', reason: 'card_declined', amountCents: 550 });
      expect(await eventsOf(store, 'order-1')).toEqual([
        { type: 'PaymentFailed', data: { orderId: 'order-1', paymentId: paymentIdFor('order-1'), amount: 5.5, reason: 'card_declined' } },
      ]);
      expect(expectOk(await commands.processPayment({ orderId: 'order-1', amount: 5.5, token: 'tok_visa' })).payment.status).toBe('FAILED');
      expect(gateway.charges).toHaveLength(1);
    });

    it('declines every payment, tok_visa too, at PAYMENT_DECLINE_RATE=1', async () => {
      await use({ declineRate: 1 });
      for (let n = 0; n < 10; n++) {
        const outcome = expectOk(await commands.processPayment({ orderId: `order-${n}`, amount: 1, token: 'tok_visa' }));
        expect(outcome.payment).toMatchObject({ status: 'FAILED', reason: 'card_declined' });
      }
    });

    it('declines none at PAYMENT_DECLINE_RATE=0', async () => {
      for (let n = 0; n < 50; n++) {
        const outcome = await commands.processPayment({ orderId: `order-${n}`, amount: 1, token: 'tok_visa' });
        expect(expectOk(outcome).payment.status).toBe('PROCESSED');
      }
    });

    it('declines by a draw that is a function of the payment id: the same payment, the same answer, from any gateway', async () => {
      await use({ declineRate: 0.5 });
      const orderIds = Array.from({ length: 200 }, (_, n) => `order-${n}`);
      const statuses = [];
      for (const orderId of orderIds) {
        statuses.push(expectOk(await commands.processPayment({ orderId, amount: 1, token: 'tok_visa' })).payment.status);
      }
      // The share declined is the rate (these ids are fixed, so this count is too: no flakiness).
      const declined = statuses.filter((status) => status === 'FAILED').length;
      expect(declined).toBeGreaterThan(70);
      expect(declined).toBeLessThan(130);
      expect(statuses).toEqual(orderIds.map((orderId) => (declineDraw(paymentIdFor(orderId)) < 0.5 ? 'FAILED' : 'PROCESSED')));
      const fresh = new SimulatedPaymentGateway({ declineRate: 0.5, delayMs: 0 });
      const again = await Promise.all(
        orderIds.map((orderId) => fresh.charge({ paymentId: paymentIdFor(orderId), orderId, amountCents: 100, token: 'tok_visa' })),
      );
      expect(again.map((answer) => (answer.approved ? 'PROCESSED' : 'FAILED'))).toEqual(statuses);
    });

    it('runs payments of different orders side by side: with a PAYMENT_DELAY_MS, all 10 charges start before one is answered', async () => {
      await use({ delayMs: 200 });
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, n) => commands.processPayment({ orderId: `order-${n}`, amount: 1, token: 'tok_visa' })),
      );
      expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
      const kinds = gateway.calls.map((call) => call.kind);
      expect(kinds.slice(0, 10)).toEqual(Array(10).fill('charge started'));
      expect(kinds.slice(10)).toEqual(Array(10).fill('charge answered'));
    });

    it.each<[string, number, string]>([
      ['a zero amount', 0, 'tok_visa'],
      ['a negative amount', -1, 'tok_visa'],
      ['three decimals', 1.001, 'tok_visa'],
      ['NaN', Number.NaN, 'tok_visa'],
      ['an empty token', 1, ''],
    ])('refuses %s as invalid, before asking the gateway', async (_name, amount, token) => {
      const outcome = await commands.processPayment({ orderId: 'order-1', amount, token });
      expect(outcome).toMatchObject({ ok: false, rejection: { code: 'invalid' } });
      expect(gateway.charges).toHaveLength(0);
      expect(await eventsOf(store, 'order-1')).toEqual([]);
    });

    it('reads a token it is given as a reader only for a payment with no outcome yet, and fails without one', async () => {
      const reads: string[] = [];
      const token = async () => {
        reads.push('read');
        return 'tok_visa';
      };
      expectOk(await commands.processPayment({ orderId: 'order-1', amount: 1, token }));
      expectOk(await commands.processPayment({ orderId: 'order-1', amount: 1, token }));
      expect(reads).toEqual(['read']);
      await expect(commands.processPayment({ orderId: 'order-2', amount: 1, token: async () => undefined })).rejects.toThrow('gone before its charge');
      expect(gateway.charges).toHaveLength(1);
      expect(await eventsOf(store, 'order-2')).toEqual([]);
    });

    it('records nothing when the gateway cannot be reached, and charges on the retry', async () => {
      gateway.unreachableFor = 1;
      await expect(commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' })).rejects.toThrow('gateway unreachable');
      expect(await eventsOf(store, 'order-1')).toEqual([]);
      const retried = await commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' });
      expect(expectOk(retried).payment.status).toBe('PROCESSED');
    });

    it('derives the event ids from a causation id: the same cause gives the same ids, which the store writes once', async () => {
      await commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' }, 'cause-1');
      const [recorded] = await store.readStream(paymentStream(paymentIdFor('order-1')));
      expect(recorded!.metadata).toMatchObject({ correlationId: 'order-1', causationId: 'cause-1' });
      const other = await setUp();
      stores.push(other.store);
      await other.commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' }, 'cause-1');
      const [same] = await other.store.readStream(paymentStream(paymentIdFor('order-1')));
      expect(same!.id).toBe(recorded!.id);
    });
  });

  describe('refundPayment', () => {
    it('refunds a processed payment through the gateway, in full, then records PaymentRefunded', async () => {
      const charged = expectOk(await commands.processPayment({ orderId: 'order-1', amount: 60.07, token: 'tok_visa' })).payment;
      const outcome = expectOk(await commands.refundPayment({ orderId: 'order-1', reason: 'order cancelled' }));
      const transactionId = transactionIdOf(charged);
      expect(outcome.payment).toEqual({ ...charged, status: 'REFUNDED', reason: 'order cancelled' });
      expect(gateway.refunds).toEqual([{ paymentId: paymentIdFor('order-1'), transactionId, amountCents: 6007 }]);
      expect((await eventsOf(store, 'order-1'))[1]).toEqual({
        type: 'PaymentRefunded',
        data: { orderId: 'order-1', paymentId: paymentIdFor('order-1'), amount: 60.07, reason: 'order cancelled', transactionId },
      });
    });

    it('refunds once, however often and however concurrently it is asked', async () => {
      await use({ delayMs: 10 });
      await commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' });
      const refund = () => commands.refundPayment({ orderId: 'order-1', reason: 'cancelled' });
      const outcomes = await Promise.all(Array.from({ length: 10 }, refund));
      expect(outcomes.every((outcome) => outcome.ok && outcome.payment.status === 'REFUNDED')).toBe(true);
      const again = await commands.refundPayment({ orderId: 'order-1', reason: 'again' });
      expect(expectOk(again).payment).toMatchObject({ status: 'REFUNDED', reason: 'cancelled' });
      expect(gateway.refunds).toHaveLength(1);
      expect((await eventsOf(store, 'order-1')).map((event) => event.type)).toEqual(['PaymentProcessed', 'PaymentRefunded']);
    });

    it('refuses to refund a failed payment (conflict), without asking the gateway', async () => {
      await commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_chargeDeclined' });
      expect(await commands.refundPayment({ orderId: 'order-1', reason: 'cancelled' })).toMatchObject({
        ok: false,
        rejection: { code: 'conflict' },
      });
      expect(gateway.refunds).toHaveLength(0);
      expect(await eventsOf(store, 'order-1')).toHaveLength(1);
    });

    it('refuses to refund an order that was never charged (not_found)', async () => {
      expect(await commands.refundPayment({ orderId: 'order-1', reason: 'cancelled' })).toMatchObject({
        ok: false,
        rejection: { code: 'not_found' },
      });
      expect(gateway.refunds).toHaveLength(0);
      expect(await eventsOf(store, 'order-1')).toEqual([]);
    });
  });

  it('answers a payment with an outcome from its stream, without asking the gateway again', async () => {
    expect(await eventsOf(store, 'order-1')).toEqual([]);
    await commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' });
    expect(expectOk(await commands.processPayment({ orderId: 'order-1', amount: 1, token: 'tok_visa' })).payment.status).toBe('PROCESSED');
    expect(gateway.charges).toHaveLength(1);
  });
});
