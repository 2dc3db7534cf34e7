import { type Decider, type Decision, reject, type Rejection } from '../../../shared/domain/decider';
import { type Cents, fromCents } from '../../../shared/domain/money';
import type { PaymentEvent } from '../contracts/payment-events';
import { evolvePayment, initialPayment, type Payment } from './payment';

interface Charge {
  readonly paymentId: string;
  readonly orderId: string;
  readonly amountCents: Cents;
}

/** The gateway is asked first (by the application); its answer is then recorded here. */
export type PaymentCommand =
  | (Charge & { readonly type: 'RecordPaymentProcessed'; readonly transactionId: string })
  | (Charge & { readonly type: 'RecordPaymentFailed'; readonly reason: string })
  | { readonly type: 'RefundPayment'; readonly reason: string };

/** A charge must be a positive whole number of cents; checked before the gateway is asked, and again here. */
export const chargeRefusal = (amountCents: Cents): Rejection | undefined =>
  Number.isSafeInteger(amountCents) && amountCents > 0
    ? undefined
    : reject('invalid', 'a payment amount must be positive, with at most two decimals');

type RecordOutcome = Extract<PaymentCommand, { type: 'RecordPaymentProcessed' | 'RecordPaymentFailed' }>;

const record = (command: RecordOutcome, payment: Payment): Decision<PaymentEvent> => {
  const refusal = chargeRefusal(command.amountCents);
  if (refusal !== undefined) return refusal;
  if (payment.status !== 'NONE') {
    if (payment.orderId !== command.orderId) {
      return reject('conflict', `payment ${payment.paymentId} belongs to order ${payment.orderId}`);
    }
    return []; // an outcome is final: recording it again changes nothing
  }
  const { paymentId, orderId } = command;
  const amount = fromCents(command.amountCents);
  return command.type === 'RecordPaymentProcessed'
    ? [{ type: 'PaymentProcessed', data: { orderId, paymentId, amount, transactionId: command.transactionId } }]
    : [{ type: 'PaymentFailed', data: { orderId, paymentId, amount, reason: command.reason } }];
};

const refund = (reason: string, payment: Payment): Decision<PaymentEvent> => {
  switch (payment.status) {
    case 'NONE':
      return reject('not_found', 'there is no payment to refund');
    case 'FAILED':
      return reject('conflict', `payment ${payment.paymentId} failed; there is nothing to refund`);
    case 'REFUNDED':
      return [];
    case 'PROCESSED': {
      const { orderId, paymentId, amountCents, transactionId } = payment;
      return [{ type: 'PaymentRefunded', data: { orderId, paymentId, amount: fromCents(amountCents), reason, transactionId } }];
    }
    default: {
      const unknownStatus: never = payment;
      return unknownStatus;
    }
  }
};

export const decidePayment = (command: PaymentCommand, payment: Payment): Decision<PaymentEvent> => {
  switch (command.type) {
    case 'RecordPaymentProcessed':
    case 'RecordPaymentFailed':
      return record(command, payment);
    case 'RefundPayment':
      return refund(command.reason, payment);
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

export const paymentDecider: Decider<Payment, PaymentCommand, PaymentEvent> = {
  initialState: initialPayment,
  evolve: evolvePayment,
  decide: decidePayment,
};
