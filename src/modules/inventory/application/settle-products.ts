import type { CommandHandler } from '../../../shared/application/command-handler';
import type { EventStore } from '../../../event-store/event-store.port';
import { type StockLine } from '../contracts/inventory-events';
import type { Reservation } from '../domain/reservation';
import { latest } from './inventory-outcomes';
import { applyOnce, type EffectRequest, holdFound, type ProductRevisions, recordedRevisions } from './product-effects';
import { inventoryStream } from './inventory-streams';

export interface InventoryParts {
  readonly commands: CommandHandler;
  readonly store: Pick<EventStore, 'readStream'>;
}

/** The reservation event this run appended, which asks the products for their part. */
export interface Decided {
  readonly causationId: string;
  readonly revisions: ProductRevisions;
}

type Settled = Extract<Reservation, { status: 'failed' | 'released' | 'deducted' }>;

/** What the products must do once the order's reservation is in this state. */
const productCommandFor = (reservation: Settled): 'ReleaseStock' | 'DeductStock' =>
  reservation.status === 'deducted' ? 'DeductStock' : 'ReleaseStock';

const isSettled = (reservation: Reservation): reservation is Settled =>
  reservation.status === 'failed' || reservation.status === 'released' || reservation.status === 'deducted';

/** The holds a settled reservation gives back or ships: a failed one's are those it had when the shortage was found. */
const linesOf = async (commands: CommandHandler, reservation: Settled, request: EffectRequest): Promise<readonly StockLine[]> => {
  if (reservation.status !== 'failed') return reservation.items;
  if (reservation.held !== undefined) return reservation.held;
  // A failure recorded before `held` was: look for each hold from the product's start (such reservations are few and old).
  const lines: StockLine[] = [];
  for (const line of reservation.items) if (await holdFound(commands, line.sku, { ...request, revisions: {} })) lines.push(line);
  return lines;
};

/**
 * Brings the products in line with the order's settled reservation: a failed or released one holds
 * nothing, a deducted one has left `onHand`. The product events are caused by the reservation's event
 * that settled it, and each is appended once: a run that did not append that event itself (a
 * redelivery, or the run after a crash half-way) looks in each product for it first.
 */
export const settleProducts = async (
  { commands, store }: InventoryParts,
  reservation: Reservation,
  decided?: Decided,
): Promise<bigint | undefined> => {
  if (!isSettled(reservation)) return undefined;
  const { orderId } = reservation;
  let request: EffectRequest;
  if (decided !== undefined) {
    request = { orderId, ...decided, mayRepeat: false };
  } else {
    const [last] = await store.readStream(inventoryStream(orderId), { direction: 'backwards', maxCount: 1 });
    if (last === undefined) return undefined;
    request = { orderId, causationId: last.id, revisions: recordedRevisions(last), mayRepeat: true };
  }
  const type = productCommandFor(reservation);
  let position: bigint | undefined;
  for (const { sku, quantity } of [...(await linesOf(commands, reservation, request))].sort((a, b) => (a.sku < b.sku ? -1 : 1))) {
    const result = await applyOnce(commands, { type, sku, orderId, quantity }, request);
    if (!result.accepted) throw new Error(`product ${sku} refused to settle order ${orderId}: ${result.rejection.reason}`);
    position = latest(position, result.position);
  }
  return position;
};
