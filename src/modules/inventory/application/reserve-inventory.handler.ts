import type { CommandContext } from '../../../shared/application/command-handler';
import { type Shortage, type StockLine } from '../contracts/inventory-events';
import { availableOf } from '../domain/product';
import { productDecider } from '../domain/product.decider';
import { isUndecided, type Reservation } from '../domain/reservation';
import { type ReservationCommand, reservationDecider, stockLinesRefusal } from '../domain/reservation.decider';
import { bySku, type InventoryCause, latest, orderContext, type ReservationOutcome, type ReserveInventoryRequest } from './inventory-outcomes';
import { applyOnce, type EffectRequest, holdFound, productRevisions, recordedRevisions, revisionsMetadata } from './product-effects';
import { type InventoryParts, settleProducts } from './settle-products';
import { inventoryStream, productStream } from './inventory-streams';

interface Attempt {
  readonly shortages: readonly Shortage[];
  readonly held: readonly StockLine[];
  readonly position: bigint | undefined;
}

/**
 * Reserves every product of the order, in sku order, each append guarded by its stream's expected
 * revision: however many orders race, a product is never oversold. After the first shortage the
 * remaining skus are only checked (not held), so that the report names every shortage; a run that
 * may repeat an earlier one also looks there for holds that run left.
 */
const reserveProducts = async ({ commands }: InventoryParts, items: readonly StockLine[], request: EffectRequest): Promise<Attempt> => {
  const shortages: Shortage[] = [];
  const held: StockLine[] = [];
  let position: bigint | undefined;
  for (const { sku, quantity } of [...items].sort(bySku)) {
    if (shortages.length > 0) {
      if (request.mayRepeat && (await holdFound(commands, sku, request))) {
        held.push({ sku, quantity });
        continue;
      }
      const available = availableOf((await commands.load(productDecider, productStream(sku), { committed: true })).state);
      if (available < quantity) shortages.push({ sku, requested: quantity, available });
      continue;
    }
    const result = await applyOnce(commands, { type: 'ReserveStock', sku, orderId: request.orderId, quantity }, request);
    if (result.accepted) {
      held.push({ sku, quantity });
      position = latest(position, result.position);
      continue;
    }
    shortages.push({ sku, requested: quantity, available: availableOf(result.state) });
  }
  return { shortages, held, position };
};

/** Records the request (first run) or finds the one recorded (a run that repeats it): what the holds derive from. */
const requestOf = async (
  parts: InventoryParts,
  reservation: Extract<Reservation, { status: 'none' | 'requested' }>,
  { orderId, items }: ReserveInventoryRequest,
  context: CommandContext,
): Promise<{ request: EffectRequest; position: bigint | undefined } | { refused: ReservationOutcome }> => {
  const stream = inventoryStream(orderId);
  if (reservation.status === 'none') {
    const revisions = await productRevisions(parts.commands, items.map((item) => item.sku));
    const metadata = { ...context.metadata, ...revisionsMetadata(revisions) };
    const result = await parts.commands.handle(reservationDecider, stream, { type: 'RequestReservation', orderId, items }, { ...context, metadata });
    if (!result.accepted) return { refused: { ok: false, rejection: result.rejection } };
    if (result.events.length > 0) {
      return { request: { orderId, causationId: result.eventIds[0]!, revisions, mayRepeat: false }, position: result.position };
    }
  }
  const [requested] = await parts.store.readStream(stream, { maxCount: 1 });
  if (requested?.type !== 'InventoryReservationRequested') throw new Error(`the reservation of order ${orderId} has no request`);
  return { request: { orderId, causationId: requested.id, revisions: recordedRevisions(requested), mayRepeat: true }, position: undefined };
};

/**
 * All or nothing across the order's skus. The request is recorded in `Inventory-<orderId>` first, then
 * the products are held, then the outcome is recorded once; on a shortage the products already held
 * are given back after it. Calling it again (a redelivered cause, or after a crash at any step)
 * finishes what was left and writes nothing twice: a hold the request already made is found, not
 * made again, and a recorded outcome is answered as it is.
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
  if (!isUndecided(reservation)) {
    const settled = await settleProducts(parts, reservation);
    return { ok: true, reservation, position: settled };
  }
  const requested = await requestOf(parts, reservation, request, context);
  if ('refused' in requested) return requested.refused;
  const attempt = await reserveProducts(parts, items, requested.request);
  const failed = attempt.shortages.length > 0;
  const command: ReservationCommand = failed
    ? { type: 'FailReservation', orderId, reason: 'insufficient_stock', shortages: attempt.shortages, items, held: attempt.held }
    : { type: 'ConfirmReservation', orderId, items };
  const revisions = failed ? await productRevisions(parts.commands, attempt.held.map((line) => line.sku)) : {};
  // Caused by the request (not by the order's event, whose id would derive the same event id in this stream).
  const outcomeContext = { ...context, causationId: requested.request.causationId, metadata: { ...context.metadata, ...revisionsMetadata(revisions) } };
  const result = await parts.commands.handle(reservationDecider, stream, command, outcomeContext);
  if (!result.accepted) return { ok: false, rejection: result.rejection };
  reservation = result.state;
  const decided = result.events.length > 0 ? { causationId: result.eventIds[0]!, revisions } : undefined;
  const settled = await settleProducts(parts, reservation, decided);
  return { ok: true, reservation, position: latest(latest(requested.position, attempt.position), latest(result.position, settled)) };
};
