import type { Cents } from '../../../shared/domain/money';
import { toCents } from '../../../shared/domain/money';
import type { OrderEvent, OrderLine, OrderStatus, PaymentMethod, ShippingAddress } from '../contracts/order-events';

export type Order =
  | { readonly status: 'NONE' }
  | {
      readonly status: OrderStatus;
      readonly orderId: string;
      readonly customerId: string;
      readonly items: readonly OrderLine[];
      readonly totalCents: Cents;
      readonly currency: string;
      readonly shippingAddress: ShippingAddress | null;
      readonly paymentMethod: PaymentMethod;
      readonly paymentDueBy: string;
      readonly requestHash?: string;
      readonly paymentId?: string;
      readonly shipmentId?: string;
      readonly trackingNumber?: string;
      readonly reason?: string;
      /** OrderPlaced's `placedAt`; undefined for an order placed before events carried it. */
      readonly placedAt: string | undefined;
      /** The time the last event carries (`placedAt`, `cancelledAt`); undefined when that event carries none. */
      readonly changedAt: string | undefined;
    };

export type PlacedOrder = Exclude<Order, { status: 'NONE' }>;

export const initialOrder: Order = { status: 'NONE' };

const advance = (order: Order, changes: Partial<PlacedOrder>): Order =>
  order.status === 'NONE' ? order : { ...order, ...changes };

/** The time an order event carries of itself (OrderPlaced's `placedAt`, OrderCancelled's `cancelledAt`), if any. */
export const orderEventTime = (event: OrderEvent): string | undefined =>
  event.type === 'OrderPlaced' ? event.data.placedAt : event.type === 'OrderCancelled' ? event.data.cancelledAt : undefined;

export const evolveOrder = (order: Order, event: OrderEvent): Order => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, items, total, currency, shippingAddress, paymentMethod, paymentDueBy, requestHash, placedAt } = event.data;
      return {
        status: 'PENDING',
        orderId,
        customerId,
        items,
        totalCents: toCents(total),
        currency,
        shippingAddress,
        paymentMethod,
        paymentDueBy,
        ...(requestHash === undefined ? {} : { requestHash }),
        placedAt,
        changedAt: placedAt,
      };
    }
    case 'OrderConfirmed':
      return advance(order, { status: 'CONFIRMED', changedAt: undefined });
    case 'OrderRejected':
      return advance(order, { status: 'REJECTED', reason: event.data.reason, changedAt: undefined });
    case 'OrderPaid':
      return advance(order, { status: 'PAID', paymentId: event.data.paymentId, changedAt: undefined });
    case 'OrderPaymentFailed':
      return advance(order, { status: 'PAYMENT_FAILED', reason: event.data.reason, changedAt: undefined });
    case 'OrderShipped':
      return advance(order, {
        status: 'SHIPPED',
        shipmentId: event.data.shipmentId,
        trackingNumber: event.data.trackingNumber,
        changedAt: undefined,
      });
    case 'OrderDelivered':
      return advance(order, { status: 'DELIVERED', changedAt: undefined });
    case 'OrderCancelled':
      return advance(order, { status: 'CANCELLED', reason: event.data.reason, changedAt: event.data.cancelledAt });
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
