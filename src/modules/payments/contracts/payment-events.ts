import type { DomainEvent } from '../../../shared/domain/decider';
import { narrowing } from '../../../shared/domain/event-narrowing';

export const paymentCategory = 'Payment';

export type PaymentStatus = 'PROCESSED' | 'FAILED' | 'REFUNDED';

/** Amounts are numbers with at most two decimals (computed from integer cents). */
export type PaymentProcessed = DomainEvent<
  'PaymentProcessed',
  { orderId: string; paymentId: string; amount: number; transactionId: string }
>;
export type PaymentFailed = DomainEvent<'PaymentFailed', { orderId: string; paymentId: string; amount: number; reason: string }>;
export type PaymentRefunded = DomainEvent<
  'PaymentRefunded',
  { orderId: string; paymentId: string; amount: number; reason: string; transactionId: string }
>;

export type PaymentEvent = PaymentProcessed | PaymentFailed | PaymentRefunded;

export const paymentEventTypes = [
  'PaymentProcessed',
  'PaymentFailed',
  'PaymentRefunded',
] as const satisfies readonly PaymentEvent['type'][];

/** A stored event as the payment event its type names, or undefined for any other type. */
export const asPaymentEvent = narrowing<PaymentEvent>(paymentEventTypes);
