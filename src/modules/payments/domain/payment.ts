import { type Cents, toCents } from '../../../shared/domain/money';
import type { PaymentEvent } from '../contracts/payment-events';

interface Charged {
  readonly paymentId: string;
  readonly orderId: string;
  readonly amountCents: Cents;
}

/** A payment has one outcome, PROCESSED or FAILED, recorded once; only a processed one can be refunded. */
export type Payment =
  | { readonly status: 'NONE' }
  | (Charged & { readonly status: 'PROCESSED'; readonly transactionId: string })
  | (Charged & { readonly status: 'FAILED'; readonly reason: string })
  | (Charged & { readonly status: 'REFUNDED'; readonly transactionId: string; readonly reason: string });

export type RecordedPayment = Exclude<Payment, { status: 'NONE' }>;

export const initialPayment: Payment = { status: 'NONE' };

/** The first outcome recorded is final: a later one (which the decider never decides) leaves the state as it is. */
export const evolvePayment = (payment: Payment, event: PaymentEvent): Payment => {
  switch (event.type) {
    case 'PaymentProcessed': {
      const { paymentId, orderId, amount, transactionId } = event.data;
      if (payment.status !== 'NONE') return payment;
      return { status: 'PROCESSED', paymentId, orderId, amountCents: toCents(amount), transactionId };
    }
    case 'PaymentFailed': {
      const { paymentId, orderId, amount, reason } = event.data;
      if (payment.status !== 'NONE') return payment;
      return { status: 'FAILED', paymentId, orderId, amountCents: toCents(amount), reason };
    }
    case 'PaymentRefunded':
      if (payment.status !== 'PROCESSED') return payment;
      return { ...payment, status: 'REFUNDED', reason: event.data.reason };
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
