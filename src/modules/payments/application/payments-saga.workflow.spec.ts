import type { OrderEvent } from '../../orders/contracts/order-events';
import { workflowSpecification } from '../../../shared/testing/workflow-specification';
import { paymentsSagaWorkflow } from './payments-saga.workflow';

const orderId = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const paymentMethod = { tokenRef: `payment-token:${orderId}` };
const spec = workflowSpecification(paymentsSagaWorkflow);

describe('payments saga workflow', () => {
  it('charges a confirmed order with the method its event carries, then forgets the token', () => {
    spec
      .given([])
      .when({ type: 'OrderConfirmed', data: { orderId, amount: 24.98, paymentMethod } })
      .then([
        { type: 'ChargeOrder', orderId, amount: 24.98, paymentMethod },
        { type: 'ForgetPaymentToken', paymentMethod },
      ]);
  });

  it('refunds a cancelled order, saying why, then forgets the token', () => {
    spec
      .given([])
      .when({ type: 'OrderCancelled', data: { orderId, reason: 'timeout', previousStatus: 'CONFIRMED', paymentMethod } })
      .then([
        { type: 'RefundOrder', orderId, reason: 'order cancelled: timeout' },
        { type: 'ForgetPaymentToken', paymentMethod },
      ]);
  });

  it('only forgets the token of a rejected order: it is never charged', () => {
    spec
      .given([])
      .when({ type: 'OrderRejected', data: { orderId, reason: 'insufficient_stock', paymentMethod } })
      .then([{ type: 'ForgetPaymentToken', paymentMethod }]);
  });

  it.each<[string, OrderEvent]>([
    ['a paid order', { type: 'OrderPaid', data: { orderId, paymentId: 'pay-1' } }],
    ['a failed payment', { type: 'OrderPaymentFailed', data: { orderId, reason: 'card_declined' } }],
    ['a shipped order', { type: 'OrderShipped', data: { orderId, shipmentId: 'ship-1', trackingNumber: 'TRK1' } }],
    ['a delivered order', { type: 'OrderDelivered', data: { orderId, shipmentId: 'ship-1' } }],
  ])('asks nothing of payments on %s', (_, event) => {
    spec.given([]).when(event).thenNothing();
  });
});
