import type { CommandHandler } from '../../../shared/application/command-handler';
import type { EventStore } from '../../../event-store/event-store.port';
import { inventoryStream, productStream } from '../contracts/inventory-events';
import { heldFor } from '../domain/product';
import { productDecider } from '../domain/product.decider';
import type { Reservation } from '../domain/reservation';
import { latest } from './inventory-outcomes';

export interface InventoryParts {
  readonly commands: CommandHandler;
  readonly store: Pick<EventStore, 'readStream'>;
}

/** What the products must do once the order's reservation is in this state. */
const productCommandFor = (reservation: Reservation): 'ReleaseStock' | 'DeductStock' | undefined => {
  switch (reservation.status) {
    case 'failed':
    case 'released':
      return 'ReleaseStock';
    case 'deducted':
      return 'DeductStock';
    case 'none':
    case 'reserved':
      return undefined;
    default: {
      const unknownStatus: never = reservation;
      return unknownStatus;
    }
  }
};

/**
 * Brings the products in line with the order's recorded reservation: a failed or released one holds
 * nothing, a deducted one has left `onHand`. The product events are caused by the event that recorded
 * the outcome (the stream's last), and their ids derive from it. Run on every call, so a call that
 * stopped half-way is finished by the next; a product that holds nothing for the order is left alone.
 */
export const settleProducts = async (
  { commands, store }: InventoryParts,
  reservation: Reservation,
  skus: readonly string[],
  decidedBy?: string,
): Promise<bigint | undefined> => {
  const type = productCommandFor(reservation);
  if (type === undefined || reservation.status === 'none') return undefined;
  const { orderId } = reservation;
  let causationId = decidedBy;
  let position: bigint | undefined;
  for (const sku of [...new Set(skus)].sort()) {
    const stream = productStream(sku);
    const { state } = await commands.load(productDecider, stream);
    if (heldFor(state, orderId) === undefined) continue;
    causationId ??= (await store.readStream(inventoryStream(orderId), { direction: 'backwards', maxCount: 1 }))[0]?.id;
    if (causationId === undefined) return position;
    const result = await commands.handle(productDecider, stream, { type, sku, orderId }, {
      correlationId: orderId,
      causationId,
      deterministicIds: true,
    });
    if (result.accepted) position = latest(position, result.position);
  }
  return position;
};
