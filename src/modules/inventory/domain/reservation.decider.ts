import { type Decider, type Decision, reject, type Rejection } from '../../../shared/domain/decider';
import type { InventoryEvent, Shortage, StockLine } from '../contracts/inventory-events';
import { evolveReservation, initialReservation, isUndecided, type Reservation } from './reservation';

/**
 * The request is recorded here first; then the products are reserved, one stream each (by the
 * application); then the order's outcome is recorded here. Release and deduct are recorded here
 * first, and the products follow.
 */
export type ReservationCommand =
  | { readonly type: 'RequestReservation'; readonly orderId: string; readonly items: readonly StockLine[] }
  | { readonly type: 'ConfirmReservation'; readonly orderId: string; readonly items: readonly StockLine[] }
  | {
      readonly type: 'FailReservation';
      readonly orderId: string;
      readonly reason: string;
      readonly shortages: readonly Shortage[];
      readonly items: readonly StockLine[];
      readonly held: readonly StockLine[];
    }
  | { readonly type: 'ReleaseReservation'; readonly orderId: string }
  | { readonly type: 'DeductReservation'; readonly orderId: string };

/** An order's items: 1 or more lines, each sku once, each quantity a whole number of 1 or more. */
export const stockLinesRefusal = (items: readonly StockLine[]): Rejection | undefined => {
  if (items.length === 0) return reject('invalid', 'a reservation needs at least one item');
  const skus = new Set(items.map((item) => item.sku));
  if (skus.size !== items.length) return reject('invalid', 'a reservation names each sku once');
  const bad = items.find((item) => item.sku.length === 0 || !Number.isSafeInteger(item.quantity) || item.quantity < 1);
  return bad === undefined ? undefined : reject('invalid', 'each reserved quantity must be a whole number, 1 or more', { sku: bad.sku });
};

const copy = (items: readonly StockLine[]): StockLine[] => items.map(({ sku, quantity }) => ({ sku, quantity }));

/** Recorded once, before anything else; asking again (a retried reservation) changes nothing. */
const request = (command: Extract<ReservationCommand, { type: 'RequestReservation' }>, reservation: Reservation): Decision<InventoryEvent> => {
  const refusal = stockLinesRefusal(command.items);
  if (refusal !== undefined) return refusal;
  if (reservation.status !== 'none') return sameOrder(reservation, command.orderId) ?? [];
  return [{ type: 'InventoryReservationRequested', data: { orderId: command.orderId, items: copy(command.items) } }];
};

/** The outcome is recorded once: recording one again (a retried reservation) changes nothing. */
const record = (
  command: Extract<ReservationCommand, { type: 'ConfirmReservation' | 'FailReservation' }>,
  reservation: Reservation,
): Decision<InventoryEvent> => {
  const refusal = stockLinesRefusal(command.items);
  if (refusal !== undefined) return refusal;
  if (reservation.status !== 'none') {
    const refused = sameOrder(reservation, command.orderId);
    if (refused !== undefined || !isUndecided(reservation)) return refused ?? [];
  }
  const { orderId } = command;
  if (command.type === 'ConfirmReservation') return [{ type: 'InventoryReserved', data: { orderId, reservations: copy(command.items) } }];
  if (command.shortages.length === 0) return reject('invalid', 'a failed reservation names its shortages');
  const shortages = command.shortages.map(({ sku, requested, available }) => ({ sku, requested, available }));
  const held = copy(command.held);
  return [{ type: 'InventoryReservationFailed', data: { orderId, reason: command.reason, shortages, items: copy(command.items), held } }];
};

/** Only a reservation that holds stock can be released or deducted, once; anything else changes nothing. */
const settle = (
  command: Extract<ReservationCommand, { type: 'ReleaseReservation' | 'DeductReservation' }>,
  reservation: Reservation,
): Decision<InventoryEvent> => {
  if (reservation.status === 'none') return [];
  const refusal = sameOrder(reservation, command.orderId);
  if (refusal !== undefined) return refusal;
  // Being reserved elsewhere (another instance, or a run that stopped half-way): ask again once it has an outcome.
  if (reservation.status === 'requested') return reject('conflict', 'the reservation has no outcome yet');
  if (reservation.status !== 'reserved') return [];
  const data = { orderId: reservation.orderId, items: copy(reservation.items) };
  return command.type === 'ReleaseReservation' ? [{ type: 'InventoryReleased', data }] : [{ type: 'InventoryDeducted', data }];
};

const sameOrder = (reservation: Exclude<Reservation, { status: 'none' }>, orderId: string): Rejection | undefined =>
  reservation.orderId === orderId ? undefined : reject('conflict', `this reservation belongs to order ${reservation.orderId}`);

export const decideReservation = (command: ReservationCommand, reservation: Reservation): Decision<InventoryEvent> => {
  switch (command.type) {
    case 'RequestReservation':
      return request(command, reservation);
    case 'ConfirmReservation':
    case 'FailReservation':
      return record(command, reservation);
    case 'ReleaseReservation':
    case 'DeductReservation':
      return settle(command, reservation);
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

export const reservationDecider: Decider<Reservation, ReservationCommand, InventoryEvent> = {
  initialState: initialReservation,
  evolve: evolveReservation,
  decide: decideReservation,
};
