import { type Decider, type Decision, reject } from '../../../shared/domain/decider';
import type { ShipmentEvent, ShipmentStatus } from '../contracts/shipment-events';
import { evolveShipment, type ExistingShipment, initialShipment, type Shipment } from './shipment';

export type ShipmentCommand =
  | {
      readonly type: 'CreateShipment';
      readonly shipmentId: string;
      readonly orderId: string;
      readonly trackingNumber: string;
      readonly createdAt: string;
    }
  | { readonly type: 'DispatchShipment'; readonly dispatchedAt: string }
  | { readonly type: 'DeliverShipment'; readonly deliveredAt: string }
  | { readonly type: 'CancelShipment'; readonly reason: string; readonly cancelledAt: string };

type CreateShipment = Extract<ShipmentCommand, { type: 'CreateShipment' }>;

const create = (command: CreateShipment, shipment: Shipment): Decision<ShipmentEvent> => {
  if (shipment.status !== 'NONE') {
    if (shipment.orderId === command.orderId) return []; // created already: asking again changes nothing
    return reject('conflict', `shipment ${shipment.shipmentId} belongs to order ${shipment.orderId}`);
  }
  const { orderId, shipmentId, trackingNumber, createdAt } = command;
  return [{ type: 'ShipmentCreated', data: { orderId, shipmentId, trackingNumber, createdAt } }];
};

/** Each transition happens once, from the one state it leaves; from any other state it is a conflict. */
const transition = (shipment: ExistingShipment, from: ShipmentStatus, event: ShipmentEvent, action: string): Decision<ShipmentEvent> =>
  shipment.status === from
    ? [event]
    : reject('conflict', `a shipment that is ${shipment.status} cannot be ${action}; it must be ${from}`, {
        shipmentStatus: shipment.status,
      });

export const decideShipment = (command: ShipmentCommand, shipment: Shipment): Decision<ShipmentEvent> => {
  if (command.type === 'CreateShipment') return create(command, shipment);
  if (shipment.status === 'NONE') return reject('not_found', 'shipment not found');
  const { orderId, shipmentId } = shipment;
  switch (command.type) {
    case 'DispatchShipment':
      return transition(
        shipment,
        'CREATED',
        { type: 'ShipmentDispatched', data: { orderId, shipmentId, dispatchedAt: command.dispatchedAt } },
        'dispatched',
      );
    case 'DeliverShipment':
      return transition(
        shipment,
        'DISPATCHED',
        { type: 'ShipmentDelivered', data: { orderId, shipmentId, deliveredAt: command.deliveredAt } },
        'delivered',
      );
    case 'CancelShipment':
      // A compensation: cancelling a cancelled shipment again (a redelivered cancel) changes nothing.
      if (shipment.status === 'CANCELLED') return [];
      return transition(
        shipment,
        'CREATED',
        { type: 'ShipmentCancelled', data: { orderId, shipmentId, reason: command.reason, cancelledAt: command.cancelledAt } },
        'cancelled',
      );
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

export const shipmentDecider: Decider<Shipment, ShipmentCommand, ShipmentEvent> = {
  initialState: initialShipment,
  evolve: evolveShipment,
  decide: decideShipment,
};
