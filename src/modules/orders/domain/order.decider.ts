import { type Decider, type Decision, reject } from '../../../shared/domain/decider';
import { type Cents, fromCents } from '../../../shared/domain/money';
import type { OrderEvent, OrderStatus, ShippingAddress } from '../contracts/order-events';
import { evolveOrder, initialOrder, type Order, type PlacedOrder } from './order';

export interface PricedLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: Cents;
}

export type OrderCommand =
  | {
      readonly type: 'PlaceOrder';
      readonly orderId: string;
      readonly customerId: string;
      readonly lines: readonly PricedLine[];
      readonly currency: string;
      readonly shippingAddress: ShippingAddress;
      /** Where the payment token waits for the charge (the token itself is never in an event). */
      readonly paymentTokenRef: string;
      readonly paymentDueBy: string;
      readonly requestHash?: string;
      /** Now, by the application's clock. */
      readonly placedAt: string;
    }
  | { readonly type: 'ConfirmOrder' }
  | { readonly type: 'RejectOrder'; readonly reason: string }
  | { readonly type: 'MarkOrderPaid'; readonly paymentId: string }
  | { readonly type: 'MarkOrderPaymentFailed'; readonly reason: string }
  | { readonly type: 'MarkOrderShipped'; readonly shipmentId: string; readonly trackingNumber: string }
  | { readonly type: 'MarkOrderDelivered' }
  | { readonly type: 'CancelOrder'; readonly reason: string; readonly at: string }
  /** The payment deadline passed: cancels an order not yet PAID; an order PAID meanwhile is left alone. */
  | { readonly type: 'TimeOutOrder'; readonly at: string };

export const cancellableStatuses: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'PAID'];

type PlaceOrder = Extract<OrderCommand, { type: 'PlaceOrder' }>;

const place = (command: PlaceOrder, order: Order): Decision<OrderEvent> => {
  if (order.status !== 'NONE') {
    // The same Idempotency-Key with the same request answers the order already placed.
    if (command.requestHash !== undefined && order.requestHash === command.requestHash) return [];
    return command.requestHash !== undefined
      ? reject('invalid', 'this Idempotency-Key was already used with a different request')
      : reject('conflict', `order ${command.orderId} already exists`);
  }
  const items = command.lines.map((line) => ({
    sku: line.sku,
    name: line.name,
    quantity: line.quantity,
    unitPrice: fromCents(line.unitPriceCents),
    lineTotal: fromCents(line.unitPriceCents * line.quantity),
  }));
  const totalCents = command.lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  return [
    {
      type: 'OrderPlaced',
      data: {
        orderId: command.orderId,
        customerId: command.customerId,
        items,
        total: fromCents(totalCents),
        currency: command.currency,
        shippingAddress: command.shippingAddress,
        paymentMethod: { tokenRef: command.paymentTokenRef },
        paymentDueBy: command.paymentDueBy,
        ...(command.requestHash === undefined ? {} : { requestHash: command.requestHash }),
        placedAt: command.placedAt,
      },
    },
  ];
};

/**
 * The steps the process managers drive are idempotent: a step asked for again, or too late because
 * the order moved on (cancelled meanwhile, say), decides nothing rather than failing.
 */
const step = (order: PlacedOrder, from: OrderStatus, event: OrderEvent): Decision<OrderEvent> =>
  order.status === from ? [event] : [];

export const decideOrder = (command: OrderCommand, order: Order): Decision<OrderEvent> => {
  if (command.type === 'PlaceOrder') return place(command, order);
  if (order.status === 'NONE') return reject('not_found', 'order not found');
  const { orderId, paymentMethod } = order;
  switch (command.type) {
    case 'ConfirmOrder':
      return step(order, 'PENDING', { type: 'OrderConfirmed', data: { orderId, amount: fromCents(order.totalCents), paymentMethod } });
    case 'RejectOrder':
      return step(order, 'PENDING', { type: 'OrderRejected', data: { orderId, reason: command.reason, paymentMethod } });
    case 'MarkOrderPaid':
      return step(order, 'CONFIRMED', { type: 'OrderPaid', data: { orderId, paymentId: command.paymentId } });
    case 'MarkOrderPaymentFailed':
      return step(order, 'CONFIRMED', { type: 'OrderPaymentFailed', data: { orderId, reason: command.reason } });
    case 'MarkOrderShipped':
      return step(order, 'PAID', {
        type: 'OrderShipped',
        data: { orderId, shipmentId: command.shipmentId, trackingNumber: command.trackingNumber },
      });
    case 'MarkOrderDelivered':
      return step(order, 'SHIPPED', { type: 'OrderDelivered', data: { orderId, shipmentId: order.shipmentId ?? '' } });
    case 'TimeOutOrder':
      return order.status === 'PENDING' || order.status === 'CONFIRMED'
        ? [{ type: 'OrderCancelled', data: { orderId, reason: 'timeout', previousStatus: order.status, paymentMethod, cancelledAt: command.at } }]
        : [];
    case 'CancelOrder':
      if (!cancellableStatuses.includes(order.status)) {
        return reject('conflict', `an order that is ${order.status} can no longer be cancelled`);
      }
      return [{ type: 'OrderCancelled', data: { orderId, reason: command.reason, previousStatus: order.status, paymentMethod, cancelledAt: command.at } }];
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

export const orderDecider: Decider<Order, OrderCommand, OrderEvent> = {
  initialState: initialOrder,
  evolve: evolveOrder,
  decide: decideOrder,
};
