import type { DomainEvent } from '../../../shared/domain/decider';
import { narrowing } from '../../../shared/domain/event-narrowing';

/** Each product's stock is one stream, so every change to it is guarded by that stream's expected revision. */
export const productCategory = 'Product';
/** An order's reservation across its products: one stream per order, holding its outcome. */
export const inventoryCategory = 'Inventory';

/** What a sku looks like (CONTRACT §3). */
export const skuPattern = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;

export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  /** What was available when the reservation was tried; 0 for a sku that does not exist. */
  readonly available: number;
}

/** `price` is a number with at most two decimals, computed from integer cents. */
export type ProductCreated = DomainEvent<
  'ProductCreated',
  { sku: string; name: string; price: number; currency: 'USD'; initialStock: number }
>;
export type ProductRestocked = DomainEvent<'ProductRestocked', { sku: string; quantity: number }>;
/** Stock held for an order: it leaves `available`, not `onHand`. */
export type ProductStockReserved = DomainEvent<'ProductStockReserved', { orderId: string; sku: string; quantity: number }>;
/** An order's hold given back. */
export type ProductStockReleased = DomainEvent<'ProductStockReleased', { orderId: string; sku: string; quantity: number }>;
/** An order's hold shipped: `onHand` and `reserved` both go down. */
export type ProductStockDeducted = DomainEvent<'ProductStockDeducted', { orderId: string; sku: string; quantity: number }>;

export type ProductEvent = ProductCreated | ProductRestocked | ProductStockReserved | ProductStockReleased | ProductStockDeducted;

/**
 * An order's reservation begun: recorded before any product is touched, so that a run that stops
 * half-way is known to have begun, and the next run looks for the holds it may have left.
 */
export type InventoryReservationRequested = DomainEvent<'InventoryReservationRequested', { orderId: string; items: StockLine[] }>;
export type InventoryReserved = DomainEvent<'InventoryReserved', { orderId: string; reservations: StockLine[] }>;
/**
 * `items` is what the order asked for, `held` what it held when the shortage was found: the holds that
 * are given back (both more than CONTRACT §2 requires; events written before `held` existed lack it).
 */
export type InventoryReservationFailed = DomainEvent<
  'InventoryReservationFailed',
  { orderId: string; reason: string; shortages: Shortage[]; items: StockLine[]; held?: StockLine[] }
>;
export type InventoryReleased = DomainEvent<'InventoryReleased', { orderId: string; items: StockLine[] }>;
export type InventoryDeducted = DomainEvent<'InventoryDeducted', { orderId: string; items: StockLine[] }>;

export type InventoryEvent = InventoryReservationRequested | InventoryReserved | InventoryReservationFailed | InventoryReleased | InventoryDeducted;

export const productEventTypes = [
  'ProductCreated',
  'ProductRestocked',
  'ProductStockReserved',
  'ProductStockReleased',
  'ProductStockDeducted',
] as const satisfies readonly ProductEvent['type'][];

/** A stored event as the product event its type names, or undefined for any other type. */
export const asProductEvent = narrowing<ProductEvent>(productEventTypes);

export const reservationEventTypes = [
  'InventoryReservationRequested',
  'InventoryReserved',
  'InventoryReservationFailed',
  'InventoryReleased',
  'InventoryDeducted',
] as const satisfies readonly InventoryEvent['type'][];

/** A stored event as the reservation event its type names, or undefined for any other type. */
export const asReservationEvent = narrowing<InventoryEvent>(reservationEventTypes);

/** Every event type the inventory module publishes, the per-product stock events included. */
export const inventoryEventTypes = [...productEventTypes, ...reservationEventTypes] as const;

/** Fails to compile when an event type is added to a union above but not to its list. */
type Unlisted<All extends string, Listed extends readonly string[]> = Exclude<All, Listed[number]>;
const _everyEventListed: [Unlisted<ProductEvent['type'] | InventoryEvent['type'], typeof inventoryEventTypes>] extends [never]
  ? true
  : never = true;
