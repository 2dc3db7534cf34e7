import { deciderSpecification } from '../../../shared/testing/decider-specification';
import type { ShipmentEvent } from '../contracts/shipment-events';
import { evolveShipment, initialShipment } from './shipment';
import { type ShipmentCommand, shipmentDecider } from './shipment.decider';

const spec = deciderSpecification(shipmentDecider);
const orderId = 'order-1';
const shipmentId = 'shipment-1';
const trackingNumber = 'TRKABCDEFGHIJKL';
const t0 = '2026-11-21T10:30:00.000Z';
const t1 = '2026-11-21T11:00:00.000Z';
const t2 = '2026-11-22T09:15:00.000Z';

const create = (forOrder = orderId): ShipmentCommand => ({
  type: 'CreateShipment',
  shipmentId,
  orderId: forOrder,
  trackingNumber,
  createdAt: t0,
});
const dispatch: ShipmentCommand = { type: 'DispatchShipment', dispatchedAt: t1 };
const deliver: ShipmentCommand = { type: 'DeliverShipment', deliveredAt: t2 };
const cancel: ShipmentCommand = { type: 'CancelShipment', reason: 'order cancelled', cancelledAt: t1 };

const created: ShipmentEvent = { type: 'ShipmentCreated', data: { orderId, shipmentId, trackingNumber, createdAt: t0 } };
const dispatched: ShipmentEvent = { type: 'ShipmentDispatched', data: { orderId, shipmentId, dispatchedAt: t1 } };
const delivered: ShipmentEvent = { type: 'ShipmentDelivered', data: { orderId, shipmentId, deliveredAt: t2 } };
const cancelled: ShipmentEvent = { type: 'ShipmentCancelled', data: { orderId, shipmentId, reason: 'order cancelled', cancelledAt: t1 } };

describe('shipment decider', () => {
  describe('CreateShipment', () => {
    it('creates a shipment with its tracking number and time', () => {
      spec.given([]).when(create()).then([created]);
    });

    it('creates nothing again for the same order, whatever state the shipment is in', () => {
      for (const history of [[created], [created, dispatched], [created, dispatched, delivered], [created, cancelled]]) {
        spec.given(history).when(create()).thenNothing();
      }
    });

    it('refuses to create it for another order', () => {
      spec.given([created]).when(create('order-2')).thenRejects('conflict', /order-1/);
    });
  });

  describe('DispatchShipment', () => {
    it('dispatches a created shipment', () => {
      spec.given([created]).when(dispatch).then([dispatched]);
    });

    it.each<[string, ShipmentEvent[]]>([
      ['dispatched', [created, dispatched]],
      ['delivered', [created, dispatched, delivered]],
      ['cancelled', [created, cancelled]],
    ])('refuses to dispatch a %s shipment', (_status, history) => {
      spec.given(history).when(dispatch).thenRejects('conflict', /must be CREATED/);
    });

    it('refuses an unknown shipment', () => {
      spec.given([]).when(dispatch).thenRejects('not_found');
    });
  });

  describe('DeliverShipment', () => {
    it('delivers a dispatched shipment', () => {
      spec.given([created, dispatched]).when(deliver).then([delivered]);
    });

    it.each<[string, ShipmentEvent[]]>([
      ['created (not yet dispatched)', [created]],
      ['delivered', [created, dispatched, delivered]],
      ['cancelled', [created, cancelled]],
    ])('refuses to deliver a %s shipment', (_status, history) => {
      spec.given(history).when(deliver).thenRejects('conflict', /must be DISPATCHED/);
    });

    it('refuses an unknown shipment', () => {
      spec.given([]).when(deliver).thenRejects('not_found');
    });
  });

  describe('CancelShipment', () => {
    it('cancels a created shipment, with the reason', () => {
      spec.given([created]).when(cancel).then([cancelled]);
    });

    it('cancels nothing twice: a compensation asked for again changes nothing', () => {
      spec.given([created, cancelled]).when(cancel).thenNothing();
    });

    it.each<[string, ShipmentEvent[]]>([
      ['dispatched', [created, dispatched]],
      ['delivered', [created, dispatched, delivered]],
    ])('refuses to cancel a %s shipment', (_status, history) => {
      spec.given(history).when(cancel).thenRejects('conflict', /must be CREATED/);
    });

    it('refuses an unknown shipment', () => {
      spec.given([]).when(cancel).thenRejects('not_found');
    });
  });

  describe('evolve', () => {
    it('folds the times of each transition, without mutating', () => {
      const history = [created, dispatched, delivered];
      const states = history.reduce((all, event) => [...all, evolveShipment(all[all.length - 1]!, event)], [initialShipment]);
      expect(states[1]).toEqual({ status: 'CREATED', shipmentId, orderId, trackingNumber, createdAt: t0, updatedAt: t0 });
      expect(states[3]).toEqual({ ...states[1], status: 'DELIVERED', dispatchedAt: t1, deliveredAt: t2, updatedAt: t2 });
      expect(evolveShipment(initialShipment, dispatched)).toBe(initialShipment);
    });
  });
});
