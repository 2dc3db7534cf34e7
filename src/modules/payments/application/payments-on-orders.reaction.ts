import type { EventStore, RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { orderCategory, type OrderCancelled, type OrderConfirmed, type OrderPlaced, type OrderRejected, orderStream } from '../../orders/contracts/order-events';
import type { PaymentCommands, PaymentOutcome } from './payment-commands';

type PaymentMethod = OrderPlaced['data']['paymentMethod'];

const paymentMethodOf = async (store: EventStore, orderId: string): Promise<PaymentMethod> => {
  const [placed] = await store.readStream(orderStream(orderId), { maxCount: 1 });
  if (placed?.type !== 'OrderPlaced') throw new Error(`order ${orderId} has no OrderPlaced`);
  return (placed.data as OrderPlaced['data']).paymentMethod;
};

const refusalIsFinal = (outcome: PaymentOutcome): void => {
  if (!outcome.ok && outcome.rejection.code === 'invalid') throw new Error(outcome.rejection.reason);
};

/**
 * Payments follow the orders: a confirmed order is charged; a cancelled one is refunded if it was
 * charged. Both arrive on the order's stream, in order, so a cancel that raced a charge in flight
 * is handled after the charge and refunds it.
 *
 * The payment token waits apart from the log (the store's secrets) under the reference OrderPlaced
 * names; once it can no longer be needed (the charge has an outcome, or the order was rejected or
 * cancelled) it is erased. A redelivered OrderConfirmed finds the payment recorded and needs no token.
 */
export const paymentsOnOrders = (payments: PaymentCommands, store: EventStore): Reaction => {
  const forget = async (method: PaymentMethod) => {
    if ('tokenRef' in method) await store.secrets.erase(method.tokenRef);
  };
  return {
    name: 'payments-on-orders',
    category: orderCategory,
    eventTypes: ['OrderConfirmed', 'OrderCancelled', 'OrderRejected'],
    maxInFlight: 1024,
    async handle(event: RecordedEvent) {
      if (event.type === 'OrderConfirmed') {
        const { orderId, amount } = event.data as OrderConfirmed['data'];
        const method = await paymentMethodOf(store, orderId);
        if (!(await payments.paymentOf(orderId)).ok) {
          const token = 'tokenRef' in method ? await store.secrets.read(method.tokenRef) : method.token;
          if (token === undefined) throw new Error(`the payment token of order ${orderId} is gone before its charge`);
          refusalIsFinal(await payments.processPayment({ orderId, amount, token }, event.id));
        }
        await forget(method);
      } else if (event.type === 'OrderCancelled') {
        const { orderId, reason } = event.data as OrderCancelled['data'];
        // Nothing charged (not_found) or the charge failed (conflict): there is nothing to give back.
        await payments.refundPayment({ orderId, reason: `order cancelled: ${reason}` }, event.id);
        await forget(await paymentMethodOf(store, orderId));
      } else if (event.type === 'OrderRejected') {
        const { orderId } = event.data as OrderRejected['data'];
        await forget(await paymentMethodOf(store, orderId));
      }
    },
  };
};
