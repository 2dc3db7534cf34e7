import type { Upcaster } from '../../../event-store/upcasting/event-versions';
import { paymentTokenRef } from './order-commands';

/**
 * v2 of `OrderConfirmed`, `OrderRejected` and `OrderCancelled` carries the order's payment method,
 * which payments acts on without reading the order's stream. A v1 event lacks it; since payment
 * tokens wait in the secret store under the order's reference, the reference is the v1 event's own
 * order's. (A v2 event written before versions were stamped already carries it, and keeps it.)
 */
const withPaymentMethod: Upcaster['upcast'] = (data) =>
  'paymentMethod' in data ? data : Object.assign({}, data, { paymentMethod: { tokenRef: paymentTokenRef(String(data.orderId)) } });

export const orderEventUpcasters: readonly Upcaster[] = ['OrderConfirmed', 'OrderRejected', 'OrderCancelled'].map((eventType) => ({
  eventType,
  from: 1,
  upcast: withPaymentMethod,
}));
