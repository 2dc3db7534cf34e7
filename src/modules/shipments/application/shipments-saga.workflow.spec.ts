import type { OrderEvent } from '../../orders/contracts/order-events';
import { workflowSpecification } from '../../../shared/testing/workflow-specification';
import { shipmentsSagaWorkflow } from './shipments-saga.workflow';

const orderId = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const paymentMethod = { tokenRef: `payment-token:${orderId}` };
const spec = workflowSpecification(shipmentsSagaWorkflow);

describe('shipments saga workflow', () => {
  it('creates a shipment for a paid order', () => {
    spec.given([]).when({ type: 'OrderPaid', data: { orderId, paymentId: 'pay-1' } }).then([{ type: 'CreateShipment', orderId }]);
  });

  it('cancels the shipment of a cancelled order, saying why', () => {
    spec
      .given([])
      .when({ type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', previousStatus: 'PAID', paymentMethod } })
      .then([{ type: 'CancelOrderShipment', orderId, reason: 'order cancelled: changed my mind' }]);
  });

  it.each<[string, OrderEvent]>([
    ['a confirmed order', { type: 'OrderConfirmed', data: { orderId, amount: 1, paymentMethod } }],
    ['a rejected order', { type: 'OrderRejected', data: { orderId, reason: 'insufficient_stock', paymentMethod } }],
    ['a failed payment', { type: 'OrderPaymentFailed', data: { orderId, reason: 'card_declined' } }],
    ['a shipped order', { type: 'OrderShipped', data: { orderId, shipmentId: 'ship-1', trackingNumber: 'TRK1' } }],
    ['a delivered order', { type: 'OrderDelivered', data: { orderId, shipmentId: 'ship-1' } }],
  ])('asks nothing of shipments on %s', (_, event) => {
    spec.given([]).when(event).thenNothing();
  });
});
