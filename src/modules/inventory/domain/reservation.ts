import type { InventoryEvent, Shortage, StockLine } from '../contracts/inventory-events';

/**
 * An order's reservation across its products. Its outcome is decided once (reserved or failed); a
 * reserved one then ends released or deducted, once.
 */
export type Reservation =
  | { readonly status: 'none' }
  | { readonly status: 'reserved'; readonly orderId: string; readonly items: readonly StockLine[] }
  | {
      readonly status: 'failed';
      readonly orderId: string;
      readonly reason: string;
      readonly shortages: readonly Shortage[];
      readonly items: readonly StockLine[];
    }
  | { readonly status: 'released'; readonly orderId: string; readonly items: readonly StockLine[] }
  | { readonly status: 'deducted'; readonly orderId: string; readonly items: readonly StockLine[] };

export type ReservationStatus = Reservation['status'];

export const initialReservation: Reservation = { status: 'none' };

/** Never throws, never mutates; an event the decider would not have decided leaves the state as it is. */
export const evolveReservation = (reservation: Reservation, event: InventoryEvent): Reservation => {
  switch (event.type) {
    case 'InventoryReserved': {
      const { orderId, reservations } = event.data;
      return reservation.status === 'none' ? { status: 'reserved', orderId, items: reservations } : reservation;
    }
    case 'InventoryReservationFailed': {
      const { orderId, reason, shortages, items } = event.data;
      return reservation.status === 'none' ? { status: 'failed', orderId, reason, shortages, items: items ?? [] } : reservation;
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
