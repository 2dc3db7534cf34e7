import type { CommandContext } from '../../../shared/application/command-handler';
import type { Rejection } from '../../../shared/domain/decider';
import type { StockLine } from '../contracts/inventory-events';
import type { ExistingProduct } from '../domain/product';
import type { Reservation } from '../domain/reservation';

export interface CreateProductRequest {
  readonly sku: string;
  readonly name: string;
  /** A number with at most two decimals. */
  readonly price: number;
  readonly initialStock: number;
}

export interface ReserveInventoryRequest {
  readonly orderId: string;
  readonly items: readonly StockLine[];
}

/**
 * What caused an order's inventory command: the event (e.g. `OrderPlaced`) whose id becomes the
 * causation id, and from which the ids of the events appended derive, so that a redelivered cause
 * appends nothing twice. Use one cause per order and step. The correlation id is always the order id.
 */
export interface InventoryCause {
  readonly causationId: string;
  readonly metadata?: Record<string, unknown>;
}

/** `position`: of the last event this call appended, for a read model to catch up to; undefined when it appended nothing. */
export type ProductOutcome =
  | { readonly ok: true; readonly product: ExistingProduct; readonly position: bigint | undefined; readonly revision: number }
  | { readonly ok: false; readonly rejection: Rejection };

/** `ok` once the reservation is recorded: a failed one (shortages) is `ok` too, with `reservation.status` 'failed'. */
export type ReservationOutcome =
  | { readonly ok: true; readonly reservation: Reservation; readonly position: bigint | undefined }
  | { readonly ok: false; readonly rejection: Rejection };

export const orderContext = (orderId: string, cause: InventoryCause): CommandContext => ({
  correlationId: orderId,
  causationId: cause.causationId,
  deterministicIds: true,
  ...(cause.metadata === undefined ? {} : { metadata: cause.metadata }),
});

export const latest = (a: bigint | undefined, b: bigint | undefined): bigint | undefined =>
  a === undefined ? b : b === undefined || a >= b ? a : b;

export const bySku = (a: StockLine, b: StockLine): number => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
