import type { EventStore, RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { asOrderEvent, orderCategory, type PaymentMethod } from '../../orders/contracts/order-events';
import type { PaymentCommands, PaymentOutcome } from './payment-commands';

const refusalIsFinal = (outcome: PaymentOutcome): void => {
  if (!outcome.ok && outcome.rejection.code === 'invalid') throw new Error(outcome.rejection.reason);
};

/**
 * Payments follow the orders: a confirmed order is charged; a cancelled one is refunded if it was
 * charged. Both arrive on the order's stream, in order, so a cancel that raced a charge in flight
 * is handled after the charge and refunds it.
 *
 * The payment token waits apart from the log (the store's secrets) under the reference that each of
 * these events carries (`paymentMethod`): payments never reads the order's stream. Once the token
 * can no longer be needed (the charge has an outcome, or the order was rejected or cancelled) it is
 * erased. A redelivered OrderConfirmed finds the payment recorded and needs no token.
 */
export const paymentsOnOrders = (payments: PaymentCommands, store: Pick<EventStore, 'secrets'>): Reaction => {
  const forget = async (method: PaymentMethod) => {
    if ('tokenRef' in method) await store.secrets.erase(method.tokenRef);
  };
  return {
    name: 'payments-on-orders',
    category: orderCategory,
    eventTypes: ['OrderConfirmed', 'OrderCancelled', 'OrderRejected'],
    maxInFlight: 1024,
    async handle(recorded: RecordedEvent) {
      const event = asOrderEvent(recorded);
      switch (event?.type) {
        case 'OrderConfirmed': {
          const { orderId, amount, paymentMethod } = event.data;
          if (!(await payments.paymentOf(orderId)).ok) {
            const token = 'tokenRef' in paymentMethod ? await store.secrets.read(paymentMethod.tokenRef) : paymentMethod.token;
            if (token === undefined) throw new Error(`the payment token of order ${orderId} is gone before its charge`);
            refusalIsFinal(await payments.processPayment({ orderId, amount, token }, recorded.id));
          }
          await forget(paymentMethod);
          return;
        }
        case 'OrderCancelled': {
          const { orderId, reason, paymentMethod } = event.data;
          // Nothing charged (not_found) or the charge failed (conflict): there is nothing to give back.
          await payments.refundPayment({ orderId, reason: `order cancelled: ${reason}` }, recorded.id);
          await forget(paymentMethod);
          return;
        }
        case 'OrderRejected':
          await forget(event.data.paymentMethod);
          return;
        case 'OrderPlaced':
        case 'OrderPaid':
        case 'OrderPaymentFailed':
        case 'OrderShipped':
        case 'OrderDelivered':
        case undefined:
          return;
        default: {
          const unhandled: never = event;
          return unhandled;
        }
      }
    },
  };
};
