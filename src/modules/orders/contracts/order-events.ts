import type { DomainEvent } from '../../../shared/domain/decider';
import { narrowing } from '../../../shared/domain/event-narrowing';

export const orderCategory = 'Order';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'REJECTED' | 'PAYMENT_FAILED' | 'CANCELLED';

export const settledStatuses: readonly OrderStatus[] = ['SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED'];

/** Amounts are numbers with at most two decimals (computed from integer cents). */
export interface OrderLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly lineTotal: number;
}

export interface ShippingAddress {
  readonly street: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
  readonly country: string;
}

/**
 * A reference to the payment token, which waits for the charge apart from the log (the store's
 * secrets) and is erased after it: the token itself is never in an event. Orders placed before
 * references kept `token`.
 */
export type PaymentMethod = { tokenRef: string } | { token: string };

export type OrderPlaced = DomainEvent<
  'OrderPlaced',
  {
    orderId: string;
    customerId: string;
    items: OrderLine[];
    total: number;
    currency: string;
    /** Null once the customer's personal data is erased (CONTRACT §7). */
    shippingAddress: ShippingAddress | null;
    paymentMethod: PaymentMethod;
    /** When the order is cancelled (reason `timeout`) unless it is PAID by then: the saga's deadline, kept in the store. */
    paymentDueBy: string;
    /** A keyed hash of the request, when it carried an Idempotency-Key: the same key with another body is refused. */
    requestHash?: string;
    /** When it was placed, by the application's clock (absent on orders placed before #14): the order's createdAt. */
    placedAt?: string;
  }
>;
/**
 * The events payments reacts to carry the order's payment method (a reference, never the token), so
 * that payments learns what to charge, or which reference to erase, from the event itself.
 */
export type OrderConfirmed = DomainEvent<'OrderConfirmed', { orderId: string; amount: number; paymentMethod: PaymentMethod }>;
export type OrderRejected = DomainEvent<'OrderRejected', { orderId: string; reason: string; paymentMethod: PaymentMethod }>;
export type OrderPaid = DomainEvent<'OrderPaid', { orderId: string; paymentId: string }>;
export type OrderPaymentFailed = DomainEvent<'OrderPaymentFailed', { orderId: string; reason: string }>;
export type OrderShipped = DomainEvent<'OrderShipped', { orderId: string; shipmentId: string; trackingNumber: string }>;
export type OrderDelivered = DomainEvent<'OrderDelivered', { orderId: string; shipmentId: string }>;
export type OrderCancelled = DomainEvent<
  'OrderCancelled',
  /** `cancelledAt`: by the application's clock (absent on orders cancelled before #14). */
  { orderId: string; reason: string; previousStatus: OrderStatus; paymentMethod: PaymentMethod; cancelledAt?: string }
>;

export type OrderEvent =
  | OrderPlaced
  | OrderConfirmed
  | OrderRejected
  | OrderPaid
  | OrderPaymentFailed
  | OrderShipped
  | OrderDelivered
  | OrderCancelled;

export const orderEventTypes = [
  'OrderPlaced',
  'OrderConfirmed',
  'OrderRejected',
  'OrderPaid',
  'OrderPaymentFailed',
  'OrderShipped',
  'OrderDelivered',
  'OrderCancelled',
] as const satisfies readonly OrderEvent['type'][];

/** A stored event as the order event its type names, or undefined for any other type. */
export const asOrderEvent = narrowing<OrderEvent>(orderEventTypes);
