import { reservationDecider } from '../domain/reservation.decider';
import { type InventoryCause, latest, orderContext, type ReservationOutcome } from './inventory-outcomes';
import { productRevisions, revisionsMetadata } from './product-effects';
import { type InventoryParts, settleProducts } from './settle-products';
import { inventoryStream } from './inventory-streams';

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
  const stream = inventoryStream(orderId);
  const { state: current } = await parts.commands.load(reservationDecider, stream);
  const skus = current.status === 'reserved' ? current.items.map((item) => item.sku) : [];
  const revisions = await productRevisions(parts.commands, skus);
  const context = orderContext(orderId, cause);
  const command = how === 'release' ? ({ type: 'ReleaseReservation', orderId } as const) : ({ type: 'DeductReservation', orderId } as const);
  const result = await parts.commands.handle(reservationDecider, stream, command, { ...context, metadata: { ...context.metadata, ...revisionsMetadata(revisions) } });
  if (!result.accepted) return { ok: false, rejection: result.rejection };
  const decided = result.events.length > 0 ? { causationId: result.eventIds[0]!, revisions } : undefined;
  const settled = await settleProducts(parts, result.state, decided);
  return { ok: true, reservation: result.state, position: latest(result.position, settled) };
};
