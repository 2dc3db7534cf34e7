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
    };

export type PlacedOrder = Exclude<Order, { status: 'NONE' }>;

export const initialOrder: Order = { status: 'NONE' };

const advance = (order: Order, changes: Partial<PlacedOrder>): Order =>
  order.status === 'NONE' ? order : { ...order, ...changes };

export const evolveOrder = (order: Order, event: OrderEvent): Order => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, items, total, currency, shippingAddress, paymentMethod, paymentDueBy, requestHash } = event.data;
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
      };
    }
    case 'OrderConfirmed':
      return advance(order, { status: 'CONFIRMED' });
    case 'OrderRejected':
      return advance(order, { status: 'REJECTED', reason: event.data.reason });
    case 'OrderPaid':
      return advance(order, { status: 'PAID', paymentId: event.data.paymentId });
    case 'OrderPaymentFailed':
      return advance(order, { status: 'PAYMENT_FAILED', reason: event.data.reason });
    case 'OrderShipped':
      return advance(order, {
        status: 'SHIPPED',
        shipmentId: event.data.shipmentId,
        trackingNumber: event.data.trackingNumber,
      });
    case 'OrderDelivered':
      return advance(order, { status: 'DELIVERED' });
    case 'OrderCancelled':
      return advance(order, { status: 'CANCELLED', reason: event.data.reason });
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
