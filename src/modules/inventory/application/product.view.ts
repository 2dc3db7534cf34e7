import { type Cents, fromCents } from '../../../shared/domain/money';
import type { ExistingProduct } from '../domain/product';

/** A product as the API shows it (CONTRACT §3). */
export interface ProductView {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
  readonly stock: { readonly onHand: number; readonly reserved: number; readonly available: number };
}

export interface ProductFigures {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: Cents;
  readonly currency: string;
  readonly onHand: number;
  readonly reserved: number;
}

export const productView = ({ sku, name, priceCents, currency, onHand, reserved }: ProductFigures): ProductView => ({
  sku,
  name,
  price: fromCents(priceCents),
  currency,
  stock: { onHand, reserved, available: onHand - reserved },
});

/** From the decided state of a write, so that its answer never lags. Every product is priced in USD. */
export const toProductView = (product: ExistingProduct): ProductView => productView({ ...product, currency: 'USD' });
