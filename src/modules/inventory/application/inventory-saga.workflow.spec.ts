import type { OrderEvent } from '../../orders/contracts/order-events';
import { workflowSpecification } from '../../../shared/testing/workflow-specification';
import { type InventorySagaInput, inventorySagaWorkflow } from './inventory-saga.workflow';

const orderId = '7a2b9c4d-1e3f-4a5b-8c6d-9e0f1a2b3c4d';
const paymentMethod = { tokenRef: `payment-token:${orderId}` };
const address = { street: '1 Main St', city: 'Portland', state: 'OR', zip: '97201', country: 'US' };
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId: 'cust-1',
    items: [
      { sku: 'WIDGET-001', name: 'Widget', quantity: 2, unitPrice: 9.99, lineTotal: 19.98 },
      { sku: 'GADGET-002', name: 'Gadget', quantity: 1, unitPrice: 5, lineTotal: 5 },
    ],
    total: 24.98,
    currency: 'USD',
    shippingAddress: address,
    paymentMethod,
    paymentDueBy: '2026-12-01T10:00:30.000Z',
  },
};
const spec = workflowSpecification(inventorySagaWorkflow);

describe('inventory saga workflow', () => {
  it('reserves the skus and quantities of a placed order', () => {
    spec
      .given([])
      .when(placed)
      .then([{ type: 'ReserveInventory', orderId, items: [{ sku: 'WIDGET-001', quantity: 2 }, { sku: 'GADGET-002', quantity: 1 }] }]);
  });

  it.each<[string, InventorySagaInput]>([
    ['a failed payment', { type: 'OrderPaymentFailed', data: { orderId, reason: 'card_declined' } }],
    ['a cancel', { type: 'OrderCancelled', data: { orderId, reason: 'timeout', previousStatus: 'CONFIRMED', paymentMethod } }],
  ])('releases what the order holds after %s', (_, event) => {
    spec.given([placed]).when(event).then([{ type: 'ReleaseInventory', orderId }]);
  });

  it('deducts the reservation once the shipment is dispatched', () => {
    spec
      .given([])
      .when({ type: 'ShipmentDispatched', data: { orderId, shipmentId: 'ship-1', dispatchedAt: '2026-12-01T11:00:00.000Z' } })
      .then([{ type: 'DeductInventory', orderId }]);
  });

  it.each<[string, InventorySagaInput]>([
    ['a confirmed order', { type: 'OrderConfirmed', data: { orderId, amount: 24.98, paymentMethod } }],
    ['a rejected order', { type: 'OrderRejected', data: { orderId, reason: 'insufficient_stock', paymentMethod } }],
    ['a paid order', { type: 'OrderPaid', data: { orderId, paymentId: 'pay-1' } }],
    ['a shipped order', { type: 'OrderShipped', data: { orderId, shipmentId: 'ship-1', trackingNumber: 'TRK1' } }],
    ['a delivered order', { type: 'OrderDelivered', data: { orderId, shipmentId: 'ship-1' } }],
    ['a created shipment', { type: 'ShipmentCreated', data: { orderId, shipmentId: 'ship-1', trackingNumber: 'TRK1', createdAt: '2026-12-01T10:00:00.000Z' } }],
    ['a delivered shipment', { type: 'ShipmentDelivered', data: { orderId, shipmentId: 'ship-1', deliveredAt: '2026-12-02T10:00:00.000Z' } }],
    ['a cancelled shipment', { type: 'ShipmentCancelled', data: { orderId, shipmentId: 'ship-1', reason: 'r', cancelledAt: '2026-12-01T11:00:00.000Z' } }],
  ])('asks nothing of the inventory on %s', (_, event) => {
    spec.given([placed]).when(event).thenNothing();
  });
});
