import { type Cents, toCents } from '../../../shared/domain/money';
import type { ProductEvent } from '../contracts/inventory-events';

/**
 * A product's stock as two counts. Which order holds what is recorded in each order's own
 * reservation stream, not here, so folding or deciding on a product costs the same on its
 * millionth order as on its first, and the state a snapshot keeps is a few numbers.
 */
export interface ExistingProduct {
  readonly created: true;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: Cents;
  readonly onHand: number;
  /** Held for orders not yet released nor shipped. */
  readonly reserved: number;
}

/** A product's stock. Invariant: `available = onHand - reserved >= 0`. */
export type Product = { readonly created: false } | ExistingProduct;

export const initialProduct: Product = { created: false };

export const availableOf = (product: Product): number => (product.created ? product.onHand - product.reserved : 0);

/** Never throws, never mutates; only the decider decides whether an event may happen. */
export const evolveProduct = (product: Product, event: ProductEvent): Product => {
  switch (event.type) {
    case 'ProductCreated': {
      if (product.created) return product;
      const { sku, name, price, initialStock } = event.data;
      return { created: true, sku, name, priceCents: toCents(price), onHand: initialStock, reserved: 0 };
    }
    case 'ProductRestocked':
      return product.created ? { ...product, onHand: product.onHand + event.data.quantity } : product;
    case 'ProductStockReserved':
      return product.created ? { ...product, reserved: product.reserved + event.data.quantity } : product;
    case 'ProductStockReleased':
      return product.created ? { ...product, reserved: product.reserved - event.data.quantity } : product;
    case 'ProductStockDeducted': {
      const { quantity } = event.data;
      return product.created ? { ...product, onHand: product.onHand - quantity, reserved: product.reserved - quantity } : product;
    }
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
