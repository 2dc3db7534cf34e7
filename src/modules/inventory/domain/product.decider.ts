import { type Decider, type Decision, reject, type Rejection } from '../../../shared/domain/decider';
import { type Cents, fromCents } from '../../../shared/domain/money';
import type { ProductEvent } from '../contracts/inventory-events';
import { availableOf, evolveProduct, initialProduct, type Product } from './product';

export type ProductCommand =
  | { readonly type: 'CreateProduct'; readonly sku: string; readonly name: string; readonly priceCents: Cents; readonly initialStock: number }
  | { readonly type: 'RestockProduct'; readonly sku: string; readonly quantity: number }
  | { readonly type: 'ReserveStock'; readonly sku: string; readonly orderId: string; readonly quantity: number }
  | { readonly type: 'ReleaseStock'; readonly sku: string; readonly orderId: string; readonly quantity: number }
  | { readonly type: 'DeductStock'; readonly sku: string; readonly orderId: string; readonly quantity: number };

const isCount = (value: number, min: number): boolean => Number.isSafeInteger(value) && value >= min;

const create = (command: Extract<ProductCommand, { type: 'CreateProduct' }>, product: Product): Decision<ProductEvent> => {
  const { sku, name, priceCents, initialStock } = command;
  if (product.created) return reject('conflict', `product ${sku} already exists`, { sku });
  if (sku.length === 0 || name.length === 0) return reject('invalid', 'a product needs a sku and a name');
  if (!isCount(priceCents, 1)) return reject('invalid', 'a price must be positive, with at most two decimals');
  if (!isCount(initialStock, 0)) return reject('invalid', 'the initial stock must be a whole number, 0 or more');
  return [{ type: 'ProductCreated', data: { sku, name, price: fromCents(priceCents), currency: 'USD', initialStock } }];
};

const restock = ({ sku, quantity }: { sku: string; quantity: number }, product: Product): Decision<ProductEvent> => {
  if (!product.created) return reject('not_found', `product ${sku} was not found`, { sku });
  if (!isCount(quantity, 1) || !Number.isSafeInteger(product.onHand + quantity)) {
    return reject('invalid', 'a restock quantity must be a whole number, 1 or more');
  }
  return [{ type: 'ProductRestocked', data: { sku, quantity } }];
};

/**
 * All of the quantity or nothing. Whether this order holds stock here already is not the product's to
 * know: the order's reservation records it, and the application asks only once per order.
 */
const reserve = (command: Extract<ProductCommand, { type: 'ReserveStock' }>, product: Product): Decision<ProductEvent> => {
  const { sku, orderId, quantity } = command;
  if (!product.created) return reject('not_found', `product ${sku} was not found`, { sku, requested: quantity, available: 0 });
  if (!isCount(quantity, 1)) return reject('invalid', 'a reserved quantity must be a whole number, 1 or more');
  const available = availableOf(product);
  if (quantity > available) return insufficient(sku, quantity, available);
  return [{ type: 'ProductStockReserved', data: { orderId, sku, quantity } }];
};

const insufficient = (sku: string, requested: number, available: number): Rejection =>
  reject('conflict', 'insufficient_stock', { sku, requested, available });

/** Gives back, or ships, what an order holds: never more than is reserved (nor, shipped, than is on hand). */
const settle = (command: Extract<ProductCommand, { type: 'ReleaseStock' | 'DeductStock' }>, product: Product): Decision<ProductEvent> => {
  const { sku, orderId, quantity } = command;
  if (!product.created) return reject('not_found', `product ${sku} was not found`, { sku });
  if (!isCount(quantity, 1)) return reject('invalid', 'a settled quantity must be a whole number, 1 or more');
  if (quantity > product.reserved || (command.type === 'DeductStock' && quantity > product.onHand)) {
    return reject('conflict', `product ${sku} holds less than ${quantity} for orders`, { sku, reserved: product.reserved });
  }
  const type = command.type === 'ReleaseStock' ? 'ProductStockReleased' : 'ProductStockDeducted';
  return [{ type, data: { orderId, sku, quantity } }];
};

export const decideProduct = (command: ProductCommand, product: Product): Decision<ProductEvent> => {
  switch (command.type) {
    case 'CreateProduct':
      return create(command, product);
    case 'RestockProduct':
      return restock(command, product);
    case 'ReserveStock':
      return reserve(command, product);
    case 'ReleaseStock':
    case 'DeductStock':
      return settle(command, product);
    default: {
      const unknownCommand: never = command;
      return unknownCommand;
    }
  }
};

export const productDecider: Decider<Product, ProductCommand, ProductEvent> = {
  initialState: initialProduct,
  evolve: evolveProduct,
  decide: decideProduct,
};
