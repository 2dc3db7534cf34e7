import { deterministicId } from '../../../shared/application/event-ids';
import { paymentCategory } from '../contracts/payment-events';

/** The payment's own stream and id: private to the payments module. */
export const paymentStream = (paymentId: string): string => `${paymentCategory}-${paymentId}`;
/** One payment per order: its id derives from the order's, so a second charge for the order finds the first. */
export const paymentIdFor = (orderId: string): string => deterministicId(orderId, 'payment');
