import type { EventStore, RecordedEvent } from '../../../event-store/event-store.port';
import type { Reaction } from '../../../shared/process-managers/reaction';
import { orderCategory, type OrderCancelled, type OrderConfirmed, type OrderPlaced, orderStream } from '../../orders/contracts/order-events';
import type { PaymentCommands, PaymentOutcome } from './payment-commands';

const tokenOf = async (store: EventStore, orderId: string): Promise<string> => {
  const [placed] = await store.readStream(orderStream(orderId), { maxCount: 1 });
  if (placed?.type !== 'OrderPlaced') throw new Error(`order ${orderId} has no OrderPlaced`);
  return (placed.data as OrderPlaced['data']).paymentMethod.token;
};

const refusalIsFinal = (outcome: PaymentOutcome): void => {
  if (!outcome.ok && outcome.rejection.code === 'invalid') throw new Error(outcome.rejection.reason);
};

/**
 * Payments follow the orders: a confirmed order is charged; a cancelled one is refunded if it was
 * charged. Both arrive on the order's stream, in order, so a cancel that raced a charge in flight
 * is handled after the charge and refunds it.
 */
export const paymentsOnOrders = (payments: PaymentCommands, store: EventStore): Reaction => ({
  name: 'payments-on-orders',
  category: orderCategory,
  eventTypes: ['OrderConfirmed', 'OrderCancelled'],
  maxInFlight: 1024,
  async handle(event: RecordedEvent) {
    if (event.type === 'OrderConfirmed') {
      const { orderId, amount } = event.data as OrderConfirmed['data'];
      const token = await tokenOf(store, orderId);
      refusalIsFinal(await payments.processPayment({ orderId, amount, token }, event.id));
    } else if (event.type === 'OrderCancelled') {
      const { orderId, reason } = event.data as OrderCancelled['data'];
      // Nothing charged (not_found) or the charge failed (conflict): there is nothing to give back.
      await payments.refundPayment({ orderId, reason: `order cancelled: ${reason}` }, event.id);
    }
  },
});
