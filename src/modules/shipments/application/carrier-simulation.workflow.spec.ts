import { workflowSpecification } from '../../../shared/testing/workflow-specification';
import { type CarrierSimulationInput, carrierSimulationWorkflow } from './carrier-simulation.workflow';

const orderId = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
const shipmentId = 'c0ffee00-1111-4222-8333-444455556666';
const spec = workflowSpecification(carrierSimulationWorkflow);

describe('carrier simulation workflow', () => {
  it('picks up the shipment of a SHIPPED order', () => {
    spec.given([]).when({ type: 'OrderShipped', data: { orderId, shipmentId, trackingNumber: 'TRK1' } }).then([{ type: 'PickUpShipment', shipmentId }]);
  });

  it('delivers a dispatched shipment', () => {
    spec
      .given([])
      .when({ type: 'ShipmentDispatched', data: { orderId, shipmentId, dispatchedAt: '2026-12-01T11:00:00.000Z' } })
      .then([{ type: 'DeliverShipment', shipmentId }]);
  });

  it.each<[string, CarrierSimulationInput]>([
    ['a paid order', { type: 'OrderPaid', data: { orderId, paymentId: 'pay-1' } }],
    ['a created shipment', { type: 'ShipmentCreated', data: { orderId, shipmentId, trackingNumber: 'TRK1', createdAt: '2026-12-01T10:00:00.000Z' } }],
    ['a delivered shipment', { type: 'ShipmentDelivered', data: { orderId, shipmentId, deliveredAt: '2026-12-02T10:00:00.000Z' } }],
  ])('does nothing on %s', (_, event) => {
    spec.given([]).when(event).thenNothing();
  });
});
