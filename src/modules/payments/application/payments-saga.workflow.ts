import { statelessWorkflow } from '../../../shared/domain/workflow';
import type { OrderEvent, PaymentMethod } from '../../orders/contracts/order-events';

export type PaymentsSagaCommand =
  /** Charges the order unless a payment is recorded for it already (a redelivered OrderConfirmed). */
  | { readonly type: 'ChargeOrder'; readonly orderId: string; readonly amount: number; readonly paymentMethod: PaymentMethod }
  /** Gives back what was charged; nothing when nothing was. */
  | { readonly type: 'RefundOrder'; readonly orderId: string; readonly reason: string }
  /** Erases the payment token the method refers to, once it can no longer be needed. */
  | { readonly type: 'ForgetPaymentToken'; readonly paymentMethod: PaymentMethod };

/**
 * Payments follow the orders: a confirmed order is charged; a cancelled one is refunded if it was
 * charged; a rejected one never is. The token is forgotten after the charge's outcome, or on the
 * rejection or the cancel: tokens are kept only for orders in flight. The commands run in order.
 */
export const decidePaymentSteps = (event: OrderEvent): readonly PaymentsSagaCommand[] => {
  switch (event.type) {
    case 'OrderConfirmed': {
      const { orderId, amount, paymentMethod } = event.data;
      return [
        { type: 'ChargeOrder', orderId, amount, paymentMethod },
        { type: 'ForgetPaymentToken', paymentMethod },
      ];
    }
    case 'OrderCancelled': {
      const { orderId, reason, paymentMethod } = event.data;
      return [
        { type: 'RefundOrder', orderId, reason: `order cancelled: ${reason}` },
        { type: 'ForgetPaymentToken', paymentMethod },
      ];
    }
    case 'OrderRejected':
      return [{ type: 'ForgetPaymentToken', paymentMethod: event.data.paymentMethod }];
    case 'OrderPlaced':
    case 'OrderPaid':
    case 'OrderPaymentFailed':
    case 'OrderShipped':
    case 'OrderDelivered':
      return [];
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

export const paymentsSagaWorkflow = statelessWorkflow(decidePaymentSteps);
