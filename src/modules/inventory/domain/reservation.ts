import type { InventoryEvent, Shortage, StockLine } from '../contracts/inventory-events';

/**
 * An order's reservation across its products: requested first, before any product is touched; its
 * outcome is then decided once (reserved or failed); a reserved one ends released or deducted, once.
 * It is the record of what the order holds, so the products need not keep one.
 */
export type Reservation =
  | { readonly status: 'none' }
  | { readonly status: 'requested'; readonly orderId: string; readonly items: readonly StockLine[] }
  | { readonly status: 'reserved'; readonly orderId: string; readonly items: readonly StockLine[] }
  | {
      readonly status: 'failed';
      readonly orderId: string;
      readonly reason: string;
      readonly shortages: readonly Shortage[];
      readonly items: readonly StockLine[];
      /** What it held when the shortage was found; undefined for a failure recorded before this was kept. */
      readonly held: readonly StockLine[] | undefined;
    }
  | { readonly status: 'released'; readonly orderId: string; readonly items: readonly StockLine[] }
  | { readonly status: 'deducted'; readonly orderId: string; readonly items: readonly StockLine[] };

export type ReservationStatus = Reservation['status'];

export const initialReservation: Reservation = { status: 'none' };

/** No outcome recorded yet. (Reservations recorded before `requested` existed went from none to their outcome.) */
export const isUndecided = (reservation: Reservation): reservation is Extract<Reservation, { status: 'none' | 'requested' }> =>
  reservation.status === 'none' || reservation.status === 'requested';

/** Never throws, never mutates; an event the decider would not have decided leaves the state as it is. */
export const evolveReservation = (reservation: Reservation, event: InventoryEvent): Reservation => {
  switch (event.type) {
    case 'InventoryReservationRequested': {
      const { orderId, items } = event.data;
      return reservation.status === 'none' ? { status: 'requested', orderId, items } : reservation;
    }
    case 'InventoryReserved': {
      const { orderId, reservations } = event.data;
      return isUndecided(reservation) ? { status: 'reserved', orderId, items: reservations } : reservation;
    }
    case 'InventoryReservationFailed': {
      const { orderId, reason, shortages, items, held } = event.data;
      return isUndecided(reservation) ? { status: 'failed', orderId, reason, shortages, items: items ?? [], held } : reservation;
    }
    case 'InventoryReleased':
      return reservation.status === 'reserved' ? { ...reservation, status: 'released' } : reservation;
    case 'InventoryDeducted':
      return reservation.status === 'reserved' ? { ...reservation, status: 'deducted' } : reservation;
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
