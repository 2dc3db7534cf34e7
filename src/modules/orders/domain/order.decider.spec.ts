import { deciderSpecification } from '../../../shared/testing/decider-specification';
import type { OrderEvent, OrderPlaced } from '../contracts/order-events';
import { type OrderCommand, orderDecider } from './order.decider';

const spec = deciderSpecification(orderDecider);
const orderId = 'order-1';
const address = { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };

const place = (requestHash?: string): OrderCommand => ({
  type: 'PlaceOrder',
  orderId,
  customerId: 'cust_alice',
  lines: [
    { sku: 'WIDGET-001', name: 'Widget', quantity: 3, unitPriceCents: 1999 },
    { sku: 'GADGET-002', name: 'Gadget', quantity: 1, unitPriceCents: 10 },
  ],
  currency: 'USD',
  shippingAddress: address,
  paymentTokenRef: `payment-token:${orderId}`,
  paymentDueBy: '2026-11-22T10:00:30.000Z',
  ...(requestHash === undefined ? {} : { requestHash }),
  placedAt: '2026-11-22T10:00:00.000Z',
});

const placed = (requestHash?: string): OrderPlaced => ({
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId: 'cust_alice',
    items: [
      { sku: 'WIDGET-001', name: 'Widget', quantity: 3, unitPrice: 19.99, lineTotal: 59.97 },
      { sku: 'GADGET-002', name: 'Gadget', quantity: 1, unitPrice: 0.1, lineTotal: 0.1 },
    ],
    total: 60.07,
    currency: 'USD',
    shippingAddress: address,
    paymentMethod: { tokenRef: `payment-token:${orderId}` },
    paymentDueBy: '2026-11-22T10:00:30.000Z',
    ...(requestHash === undefined ? {} : { requestHash }),
    placedAt: '2026-11-22T10:00:00.000Z',
  },
});
const at = '2026-11-22T10:05:00.000Z';
const paymentMethod = { tokenRef: `payment-token:${orderId}` };
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, amount: 60.07, paymentMethod } };
const paid: OrderEvent = { type: 'OrderPaid', data: { orderId, paymentId: 'pay-1' } };
const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId, shipmentId: 'ship-1', trackingNumber: 'TRK1' } };
const delivered: OrderEvent = { type: 'OrderDelivered', data: { orderId, shipmentId: 'ship-1' } };
const rejected: OrderEvent = { type: 'OrderRejected', data: { orderId, reason: 'insufficient_stock', paymentMethod } };
const paymentFailed: OrderEvent = { type: 'OrderPaymentFailed', data: { orderId, reason: 'card_declined' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', previousStatus: 'PENDING', paymentMethod } };

describe('order decider', () => {
  describe('PlaceOrder', () => {
    it('places an order priced in cents, without floating-point drift', () => {
      spec.given([]).when(place()).then([placed()]);
    });

    it('answers the same Idempotency-Key and request again with nothing new', () => {
      spec.given([placed('hash-1')]).when(place('hash-1')).thenNothing();
    });

    it('refuses the same Idempotency-Key with another request', () => {
      spec.given([placed('hash-1')]).when(place('hash-2')).thenRejects('invalid', /Idempotency-Key/);
    });

    it('refuses to place an order id twice', () => {
      spec.given([placed()]).when(place()).thenRejects('conflict');
    });
  });

  describe('the steps of the saga', () => {
    it('confirms a pending order with its amount', () => {
      spec.given([placed()]).when({ type: 'ConfirmOrder' }).then([confirmed]);
    });

    it('rejects a pending order', () => {
      spec.given([placed()]).when({ type: 'RejectOrder', reason: 'insufficient_stock' }).then([rejected]);
    });

    it('marks a confirmed order paid', () => {
      spec.given([placed(), confirmed]).when({ type: 'MarkOrderPaid', paymentId: 'pay-1' }).then([paid]);
    });

    it('marks a confirmed order payment-failed', () => {
      spec.given([placed(), confirmed]).when({ type: 'MarkOrderPaymentFailed', reason: 'card_declined' }).then([paymentFailed]);
    });

    it('marks a paid order shipped', () => {
      spec
        .given([placed(), confirmed, paid])
        .when({ type: 'MarkOrderShipped', shipmentId: 'ship-1', trackingNumber: 'TRK1' })
        .then([shipped]);
    });

    it('marks a shipped order delivered', () => {
      spec.given([placed(), confirmed, paid, shipped]).when({ type: 'MarkOrderDelivered' }).then([delivered]);
    });

    it.each<[string, OrderEvent[], OrderCommand]>([
      ['confirm twice', [placed(), confirmed], { type: 'ConfirmOrder' }],
      ['confirm a cancelled order', [placed(), cancelled], { type: 'ConfirmOrder' }],
      ['reject a confirmed order', [placed(), confirmed], { type: 'RejectOrder', reason: 'x' }],
      ['pay a cancelled order', [placed(), confirmed, cancelled], { type: 'MarkOrderPaid', paymentId: 'pay-1' }],
      ['pay twice', [placed(), confirmed, paid], { type: 'MarkOrderPaid', paymentId: 'pay-1' }],
      ['fail payment of a paid order', [placed(), confirmed, paid], { type: 'MarkOrderPaymentFailed', reason: 'x' }],
      ['ship an unpaid order', [placed(), confirmed], { type: 'MarkOrderShipped', shipmentId: 's', trackingNumber: 't' }],
      ['ship twice', [placed(), confirmed, paid, shipped], { type: 'MarkOrderShipped', shipmentId: 's', trackingNumber: 't' }],
      ['deliver an order not shipped', [placed(), confirmed, paid], { type: 'MarkOrderDelivered' }],
      ['deliver twice', [placed(), confirmed, paid, shipped, delivered], { type: 'MarkOrderDelivered' }],
    ])('decides nothing when asked to %s (idempotent, or too late)', (_name, given, command) => {
      spec.given(given).when(command).thenNothing();
    });

    it('refuses every step of an order that does not exist', () => {
      spec.given([]).when({ type: 'ConfirmOrder' }).thenRejects('not_found');
    });
  });

  describe('TimeOutOrder', () => {
    it.each<[string, OrderEvent[]]>([
      ['PENDING', [placed()]],
      ['CONFIRMED', [placed(), confirmed]],
    ])('cancels an order still %s with reason timeout', (status, given) => {
      spec
        .given(given)
        .when({ type: 'TimeOutOrder', at })
        .then([{ type: 'OrderCancelled', data: { orderId, reason: 'timeout', previousStatus: status as 'PENDING', paymentMethod, cancelledAt: at } }]);
    });

    it.each<[string, OrderEvent[]]>([
      ['PAID', [placed(), confirmed, paid]],
      ['SHIPPED', [placed(), confirmed, paid, shipped]],
      ['CANCELLED', [placed(), cancelled]],
      ['REJECTED', [placed(), rejected]],
    ])('leaves an order that is %s alone', (_status, given) => {
      spec.given(given).when({ type: 'TimeOutOrder', at }).thenNothing();
    });
  });

  describe('CancelOrder', () => {
    it.each<[string, OrderEvent[]]>([
      ['PENDING', [placed()]],
      ['CONFIRMED', [placed(), confirmed]],
      ['PAID', [placed(), confirmed, paid]],
    ])('cancels an order that is %s, remembering where it was', (status, given) => {
      spec
        .given(given)
        .when({ type: 'CancelOrder', reason: 'changed my mind', at })
        .then([{ type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', previousStatus: status as 'PENDING', paymentMethod, cancelledAt: at } }]);
    });

    it.each<[string, OrderEvent[]]>([
      ['SHIPPED', [placed(), confirmed, paid, shipped]],
      ['DELIVERED', [placed(), confirmed, paid, shipped, delivered]],
      ['REJECTED', [placed(), rejected]],
      ['PAYMENT_FAILED', [placed(), confirmed, paymentFailed]],
      ['CANCELLED', [placed(), cancelled]],
    ])('refuses to cancel an order that is %s', (_status, given) => {
      spec.given(given).when({ type: 'CancelOrder', reason: 'too late', at }).thenRejects('conflict');
    });

    it('refuses to cancel an order that does not exist', () => {
      spec.given([]).when({ type: 'CancelOrder', reason: '', at }).thenRejects('not_found');
    });
  });
});
