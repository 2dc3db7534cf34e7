import type { CommandContext } from '../../../shared/application/command-handler';
import { inventoryStream, productStream, type Shortage } from '../contracts/inventory-events';
import { availableOf, heldFor } from '../domain/product';
import { productDecider } from '../domain/product.decider';
import { type ReservationCommand, reservationDecider, stockLinesRefusal } from '../domain/reservation.decider';
import { bySku, type InventoryCause, latest, orderContext, type ReservationOutcome, type ReserveInventoryRequest } from './inventory-outcomes';
import { type InventoryParts, settleProducts } from './settle-products';

interface Attempt {
  readonly shortages: readonly Shortage[];
  readonly position: bigint | undefined;
}

/**
 * Reserves every product of the order, in sku order, each append guarded by its stream's expected
 * revision: however many orders race, a product is never oversold. After the first shortage the
 * remaining skus are only checked (not held), so that the report names every shortage.
 */
const reserveProducts = async (
  { commands }: InventoryParts,
  { orderId, items }: ReserveInventoryRequest,
  context: CommandContext,
): Promise<Attempt> => {
  const shortages: Shortage[] = [];
  let position: bigint | undefined;
  for (const { sku, quantity } of [...items].sort(bySku)) {
    const stream = productStream(sku);
    if (shortages.length > 0) {
      const { state } = await commands.load(productDecider, stream);
      const available = availableOf(state);
      if (heldFor(state, orderId) === undefined && available < quantity) shortages.push({ sku, requested: quantity, available });
      continue;
    }
    const result = await commands.handle(productDecider, stream, { type: 'ReserveStock', sku, orderId, quantity }, context);
    // Held after the command: reserved now, or by an earlier run of this reservation. Not held after an
    // accepted command: the store found this very reservation appended before, and since given back.
    if (result.accepted && heldFor(result.state, orderId) !== undefined) {
      position = latest(position, result.position);
      continue;
    }
    shortages.push({ sku, requested: quantity, available: availableOf(result.state) });
  }
  return { shortages, position };
};

/**
 * All or nothing across the order's skus. The outcome is recorded once in `Inventory-<orderId>`;
 * on a shortage it is recorded first, then the products already held are given back. Calling it
 * again (a redelivered cause, or after a crash at any step) finishes what was left and writes
 * nothing twice: a product the order already holds is not reserved again, and a recorded outcome is
 * answered as it is.
 */
export const reserveInventory = async (
  parts: InventoryParts,
  request: ReserveInventoryRequest,
  cause: InventoryCause,
): Promise<ReservationOutcome> => {
  const refusal = stockLinesRefusal(request.items);
  if (refusal !== undefined) return { ok: false, rejection: refusal };
  const { orderId, items } = request;
  const stream = inventoryStream(orderId);
  const context = orderContext(orderId, cause);
  let { state: reservation } = await parts.commands.load(reservationDecider, stream);
  let position: bigint | undefined;
  let decidedBy: string | undefined;
  if (reservation.status === 'none') {
    const attempt = await reserveProducts(parts, request, context);
    const command: ReservationCommand =
      attempt.shortages.length === 0
        ? { type: 'ConfirmReservation', orderId, items }
        : { type: 'FailReservation', orderId, reason: 'insufficient_stock', shortages: attempt.shortages, items };
    const result = await parts.commands.handle(reservationDecider, stream, command, context);
    if (!result.accepted) return { ok: false, rejection: result.rejection };
    reservation = result.state;
    position = latest(attempt.position, result.position);
    decidedBy = result.eventIds[0];
  }
  const skus = [...items, ...(reservation.status === 'none' ? [] : reservation.items)].map((item) => item.sku);
  const settled = await settleProducts(parts, reservation, skus, decidedBy);
  return { ok: true, reservation, position: latest(position, settled) };
};
