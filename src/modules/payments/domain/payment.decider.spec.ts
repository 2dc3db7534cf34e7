import { deciderSpecification } from '../../../shared/testing/decider-specification';
import type { PaymentEvent } from '../contracts/payment-events';
import { evolvePayment, initialPayment } from './payment';
import { type PaymentCommand, paymentDecider } from './payment.decider';

const spec = deciderSpecification(paymentDecider);
const orderId = 'order-1';
const paymentId = 'payment-1';

const recordProcessed = (overrides: Partial<PaymentCommand> = {}): PaymentCommand =>
  ({ type: 'RecordPaymentProcessed', paymentId, orderId, amountCents: 6007, transactionId: 'txn_1', ...overrides }) as PaymentCommand;
const recordFailed = (overrides: Partial<PaymentCommand> = {}): PaymentCommand =>
  ({ type: 'RecordPaymentFailed', paymentId, orderId, amountCents: 6007, reason: 'card_declined', ...overrides }) as PaymentCommand;
const refund: PaymentCommand = { type: 'RefundPayment', reason: 'order cancelled' };

const processed: PaymentEvent = { type: 'PaymentProcessed', data: { orderId, paymentId, amount: 60.07, transactionId: 'txn_1' } };
const failed: PaymentEvent = { type: 'PaymentFailed', data: { orderId, paymentId, amount: 60.07, reason: 'card_declined' } };
const refunded: PaymentEvent = {
  type: 'PaymentRefunded',
  data: { orderId, paymentId, amount: 60.07, reason: 'order cancelled', transactionId: 'txn_1' },
};

describe('payment decider', () => {
  describe('RecordPaymentProcessed', () => {
    it('records an approved charge, the amount in cents shown with two decimals', () => {
      spec.given([]).when(recordProcessed()).then([processed]);
    });

    it('computes the amount without floating-point drift', () => {
      spec
        .given([])
        .when(recordProcessed({ amountCents: 1 }))
        .then([{ type: 'PaymentProcessed', data: { orderId, paymentId, amount: 0.01, transactionId: 'txn_1' } }]);
    });

    it('records nothing once the payment has an outcome: it is final', () => {
      spec.given([processed]).when(recordProcessed()).thenNothing();
      spec.given([failed]).when(recordProcessed()).thenNothing();
      spec.given([processed, refunded]).when(recordProcessed()).thenNothing();
    });

    it('refuses to record it for another order', () => {
      spec.given([processed]).when(recordProcessed({ orderId: 'order-2' })).thenRejects('conflict', /order-1/);
    });

    it.each([0, -100, 12.5, Number.NaN])('refuses an amount of %p cents', (amountCents) => {
      spec.given([]).when(recordProcessed({ amountCents })).thenRejects('invalid');
    });
  });

  describe('RecordPaymentFailed', () => {
    it('records a declined charge with its reason', () => {
      spec.given([]).when(recordFailed()).then([failed]);
    });

    it('records nothing once the payment has an outcome: it is final', () => {
      spec.given([failed]).when(recordFailed()).thenNothing();
      spec.given([processed]).when(recordFailed()).thenNothing();
    });

    it('refuses to record it for another order', () => {
      spec.given([failed]).when(recordFailed({ orderId: 'order-2' })).thenRejects('conflict');
    });

    it('refuses an amount that is not a positive number of cents', () => {
      spec.given([]).when(recordFailed({ amountCents: 0 })).thenRejects('invalid');
    });
  });

  describe('RefundPayment', () => {
    it('refunds a processed payment, in full, naming its transaction', () => {
      spec.given([processed]).when(refund).then([refunded]);
    });

    it('refunds nothing twice', () => {
      spec.given([processed, refunded]).when(refund).thenNothing();
    });

    it('refuses to refund a failed payment', () => {
      spec.given([failed]).when(refund).thenRejects('conflict', /nothing to refund/);
    });

    it('refuses to refund a payment that does not exist', () => {
      spec.given([]).when(refund).thenRejects('not_found');
    });
  });

  describe('evolve', () => {
    it('keeps the first outcome, never throws, never mutates', () => {
      const state = Object.freeze(evolvePayment(initialPayment, processed));
      expect(evolvePayment(state, failed)).toBe(state);
      expect(evolvePayment(evolvePayment(initialPayment, failed), refunded)).toMatchObject({ status: 'FAILED' });
      expect(evolvePayment(state, refunded)).toEqual({ ...state, status: 'REFUNDED', reason: 'order cancelled' });
      expect(state.status).toBe('PROCESSED');
    });
  });
});
