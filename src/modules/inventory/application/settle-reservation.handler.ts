import { inventoryStream } from '../contracts/inventory-events';
import { reservationDecider } from '../domain/reservation.decider';
import { type InventoryCause, latest, orderContext, type ReservationOutcome } from './inventory-outcomes';
import { type InventoryParts, settleProducts } from './settle-products';

/**
 * Releases (a cancel, a failed payment) or deducts (a dispatched shipment) what a reserved order
 * holds. The order's reservation records it first, so that a release and a deduct that race can
 * never both happen; the products follow. Only a reserved order changes; calling it again changes
 * nothing, except to finish the products a crash left behind.
 */
export const settleReservation = async (
  parts: InventoryParts,
  how: 'release' | 'deduct',
  orderId: string,
  cause: InventoryCause,
): Promise<ReservationOutcome> => {
  const command = how === 'release' ? ({ type: 'ReleaseReservation', orderId } as const) : ({ type: 'DeductReservation', orderId } as const);
  const result = await parts.commands.handle(reservationDecider, inventoryStream(orderId), command, orderContext(orderId, cause));
  if (!result.accepted) return { ok: false, rejection: result.rejection };
  const reservation = result.state;
  const skus = reservation.status === 'none' ? [] : reservation.items.map((item) => item.sku);
  const settled = await settleProducts(parts, reservation, skus, result.eventIds[0]);
  return { ok: true, reservation, position: latest(result.position, settled) };
};
