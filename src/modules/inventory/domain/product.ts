import { type Cents, toCents } from '../../../shared/domain/money';
import type { ProductEvent } from '../contracts/inventory-events';

export interface ExistingProduct {
  readonly created: true;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: Cents;
  readonly onHand: number;
  /** The sum of `activeReservations`. */
  readonly reserved: number;
  /** Holds not yet released nor deducted, by order id: bounded by the orders in flight. */
  readonly activeReservations: Readonly<Record<string, number>>;
}

/** A product's stock. Invariant: `available = onHand - reserved >= 0`. */
export type Product = { readonly created: false } | ExistingProduct;

export const initialProduct: Product = { created: false };

export const availableOf = (product: Product): number => (product.created ? product.onHand - product.reserved : 0);

/** The quantity an order holds on this product, if it holds any. (Own keys only: an order id is data, never a prototype key.) */
export const heldFor = (product: Product, orderId: string): number | undefined =>
  product.created && Object.hasOwn(product.activeReservations, orderId) ? product.activeReservations[orderId] : undefined;

const withoutHold = (holds: Readonly<Record<string, number>>, orderId: string): Readonly<Record<string, number>> =>
  Object.fromEntries(Object.entries(holds).filter(([holder]) => holder !== orderId));

/** Never throws, never mutates; an event the decider would not have decided leaves the state as it is. */
export const evolveProduct = (product: Product, event: ProductEvent): Product => {
  switch (event.type) {
    case 'ProductCreated': {
      if (product.created) return product;
      const { sku, name, price, initialStock } = event.data;
      return { created: true, sku, name, priceCents: toCents(price), onHand: initialStock, reserved: 0, activeReservations: {} };
    }
    case 'ProductRestocked':
      return product.created ? { ...product, onHand: product.onHand + event.data.quantity } : product;
    case 'ProductStockReserved': {
      const { orderId, quantity } = event.data;
      if (!product.created || heldFor(product, orderId) !== undefined) return product;
      return {
        ...product,
        reserved: product.reserved + quantity,
        activeReservations: { ...product.activeReservations, [orderId]: quantity },
      };
    }
    case 'ProductStockReleased': {
      const held = heldFor(product, event.data.orderId);
      if (!product.created || held === undefined) return product;
      return { ...product, reserved: product.reserved - held, activeReservations: withoutHold(product.activeReservations, event.data.orderId) };
    }
    case 'ProductStockDeducted': {
      const held = heldFor(product, event.data.orderId);
      if (!product.created || held === undefined) return product;
      return {
        ...product,
        onHand: product.onHand - held,
        reserved: product.reserved - held,
        activeReservations: withoutHold(product.activeReservations, event.data.orderId),
      };
    }
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
