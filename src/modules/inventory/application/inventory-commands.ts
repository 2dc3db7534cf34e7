import type { CommandHandler } from '../../../shared/application/command-handler';
import { KeyedQueue } from '../../../shared/application/keyed-queue';
import type { EventStore } from '../../../event-store/event-store.port';
import type { Reservation } from '../domain/reservation';
import { reservationDecider } from '../domain/reservation.decider';
import type { CreateProductRequest, InventoryCause, ProductOutcome, ReservationOutcome, ReserveInventoryRequest } from './inventory-outcomes';
import { createProduct, restockProduct } from './product-admin.handlers';
import { reserveInventory } from './reserve-inventory.handler';
import { settleReservation } from './settle-reservation.handler';
import type { InventoryParts } from './settle-products';
import { inventoryStream } from './inventory-streams';

/**
 * The inventory's application service: the catalog's admin commands, and the reservation steps the
 * order saga calls. The steps of one order run one at a time in this process (orders side by side),
 * so a cancel that arrives while the order's reservation is being made waits for its outcome.
 */
export class InventoryCommands {
  private readonly parts: InventoryParts;
  private readonly inTurn = new KeyedQueue();

  constructor(commands: CommandHandler, store: Pick<EventStore, 'readStream'>) {
    this.parts = { commands, store };
  }

  createProduct(request: CreateProductRequest): Promise<ProductOutcome> {
    return createProduct(this.parts.commands, request);
  }

  /** 404 (`not_found`) for a sku that does not exist. */
  restock(sku: string, quantity: number, ifMatch?: readonly number[]): Promise<ProductOutcome> {
    return restockProduct(this.parts.commands, sku, quantity, ifMatch);
  }

  /** All of the order's items or none; a shortage is an outcome (`reservation.status` 'failed'), not an error. */
  reserveInventory(request: ReserveInventoryRequest, cause: InventoryCause): Promise<ReservationOutcome> {
    return this.inTurn.run(request.orderId, () => reserveInventory(this.parts, request, cause));
  }

  /** Gives back what a reserved order holds; anything else changes nothing. */
  releaseInventory(orderId: string, cause: InventoryCause): Promise<ReservationOutcome> {
    return this.inTurn.run(orderId, () => settleReservation(this.parts, 'release', orderId, cause));
  }

  /** Takes what a reserved order holds off `onHand` (the shipment left); anything else changes nothing. */
  deductInventory(orderId: string, cause: InventoryCause): Promise<ReservationOutcome> {
    return this.inTurn.run(orderId, () => settleReservation(this.parts, 'deduct', orderId, cause));
  }

  async reservationOf(orderId: string): Promise<Reservation> {
    return (await this.parts.commands.load(reservationDecider, inventoryStream(orderId))).state;
  }
}
