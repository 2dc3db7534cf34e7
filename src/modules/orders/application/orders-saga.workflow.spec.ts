import { workflowSpecification } from '../../../shared/testing/workflow-specification';
import { type OrdersSagaInput, ordersSagaWorkflow } from './orders-saga.workflow';

const orderId = '5d1c8e2a-3b4f-4a6c-8d9e-0f1a2b3c4d5e';
const lines = [{ sku: 'WIDGET-001', quantity: 2 }];
const spec = workflowSpecification(ordersSagaWorkflow);

describe('orders saga workflow', () => {
  it('confirms an order whose stock is reserved', () => {
    spec.given([]).when({ type: 'InventoryReserved', data: { orderId, reservations: lines } }).then([{ orderId, command: { type: 'ConfirmOrder' } }]);
  });

  it('rejects an order with a shortage, with the shortage as its reason', () => {
    spec
      .given([])
      .when({ type: 'InventoryReservationFailed', data: { orderId, reason: 'insufficient_stock', shortages: [{ sku: 'WIDGET-001', requested: 2, available: 1 }], items: lines } })
      .then([{ orderId, command: { type: 'RejectOrder', reason: 'insufficient_stock' } }]);
  });

  it('marks an order paid with its payment, or payment-failed with the reason', () => {
    spec
      .given([])
      .when({ type: 'PaymentProcessed', data: { orderId, paymentId: 'pay-1', amount: 19.98, transactionId: 'tx-1' } })
      .then([{ orderId, command: { type: 'MarkOrderPaid', paymentId: 'pay-1' } }]);
    spec
      .given([])
      .when({ type: 'PaymentFailed', data: { orderId, paymentId: 'pay-1', amount: 19.98, reason: 'card_declined' } })
      .then([{ orderId, command: { type: 'MarkOrderPaymentFailed', reason: 'card_declined' } }]);
  });

  it('marks an order shipped with its shipment and tracking number, then delivered', () => {
    spec
      .given([])
      .when({ type: 'ShipmentCreated', data: { orderId, shipmentId: 'ship-1', trackingNumber: 'TRK1', createdAt: '2026-12-01T10:00:00.000Z' } })
      .then([{ orderId, command: { type: 'MarkOrderShipped', shipmentId: 'ship-1', trackingNumber: 'TRK1' } }]);
    spec
      .given([])
      .when({ type: 'ShipmentDelivered', data: { orderId, shipmentId: 'ship-1', deliveredAt: '2026-12-02T10:00:00.000Z' } })
      .then([{ orderId, command: { type: 'MarkOrderDelivered' } }]);
  });

  it.each<[string, OrdersSagaInput]>([
    ['a reservation asked for', { type: 'InventoryReservationRequested', data: { orderId, items: lines } }],
    ['a release', { type: 'InventoryReleased', data: { orderId, items: lines } }],
    ['a deduction', { type: 'InventoryDeducted', data: { orderId, items: lines } }],
    ['a refund', { type: 'PaymentRefunded', data: { orderId, paymentId: 'pay-1', amount: 1, reason: 'r', transactionId: 'tx-2' } }],
    ['a dispatch', { type: 'ShipmentDispatched', data: { orderId, shipmentId: 'ship-1', dispatchedAt: '2026-12-01T11:00:00.000Z' } }],
    ['a cancelled shipment', { type: 'ShipmentCancelled', data: { orderId, shipmentId: 'ship-1', reason: 'r', cancelledAt: '2026-12-01T11:00:00.000Z' } }],
  ])('asks nothing of the order on %s', (_, event) => {
    spec.given([]).when(event).thenNothing();
  });
});
